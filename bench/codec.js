// Benchmark of the network record codec (src/runtime/network/codec.ts) against msgpackr.
//
//   npm run build && node bench/codec.js [--rounds 7] [--records 1000000] [--kinds abc]
//
// For three record kinds it measures encode, decode and round trip (fill a 32 KiB buffer, then decode it) in
// objects per second, median of the rounds, for the flinkts codec and for msgpackr with
// `useRecords: true, maxSharedStructures: 0` (every batch decodable on its own, as our buffers are), which packs
// batches sized to fill a 32 KiB buffer and copies them into one.
//
// Each codec runs in a worker thread of its own per record kind, so neither inherits the other's (or another record
// kind's) JIT state; the main thread alternates their rounds so both see the same machine load. Records are generated
// before timing, buffers are recycled from a ring of 64, and every decoded record is touched so no decoding can be
// skipped. Figures per wall-clock second and per second of process CPU time (which other load on the machine
// disturbs less) are both printed.
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const CODEC = process.env.FLINKTS_CODEC_MODULE ?? new URL('../dist/src/runtime/network/codec.js', import.meta.url).href;
const BUFFER_SIZE = 32 * 1024;
const DISTINCT = 100_000;
/** Buffers encoded into, recycled round-robin (decoding reads them over and over). */
const RING = 64;
const T0 = 1_700_000_000_000;

/** Deterministic PRNG (mulberry32), so every run measures the same records. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
function word(rand, min, max) {
  const n = min + Math.floor(rand() * (max - min + 1));
  let s = '';
  for (let i = 0; i < n; i++) s += LETTERS[Math.floor(rand() * 26)];
  return s;
}

/** The record kinds: DISTINCT records each, and the timestamp a record is sent with. */
const KINDS = [
  {
    name: '(a) {key, value, ts}',
    records(rand) {
      return Array.from({ length: DISTINCT }, (_, i) => ({ key: Math.floor(rand() * 100_000), value: Math.floor(rand() * 1000), ts: T0 + i }));
    },
    ts: (r) => r.ts,
  },
  {
    name: '(b) Nexmark bids',
    records(rand) {
      const channels = ['Google', 'Facebook', 'Baidu', 'Apple'];
      return Array.from({ length: DISTINCT }, (_, i) => ({
        auction: 1000 + Math.floor(rand() * 10_000),
        bidder: 1000 + Math.floor(rand() * 100_000),
        price: 100 + Math.floor(rand() * 1_000_000),
        channel: channels[i & 3],
        url: `https://www.nexmark.com/${word(rand, 3, 5)}/${word(rand, 3, 5)}/item.htm?query=1`,
        dateTime: T0 + i * 10,
        extra: word(rand, 0, 20),
      }));
    },
    ts: (r) => r.dateTime,
  },
  {
    name: '(c) tuples [word, 1]',
    records(rand) {
      const vocabulary = Array.from({ length: 1000 }, () => word(rand, 3, 10));
      return Array.from({ length: DISTINCT }, () => [vocabulary[Math.floor(rand() * 1000)], 1]);
    },
    ts: () => undefined,
  },
];

function touch(v) {
  return Array.isArray(v) ? v[1] : v.key ?? v.price;
}

/** Our codec: encode / decode / round trip, each returning the number of records handled. */
function ourCodec(codec, kind, records, count) {
  const ts = kind.ts;
  const ring = Array.from({ length: RING }, () => new Uint8Array(BUFFER_SIZE));
  const sizes = new Array(RING).fill(0);
  let bytes = 0;
  const readAll = (reader, bytesOfBuffer) => {
    let n = 0;
    let sum = 0;
    reader.begin(bytesOfBuffer);
    while (reader.hasNext()) {
      if (reader.next() === codec.ENTRY_RECORD) {
        sum += touch(reader.value);
        n++;
      }
    }
    return n + (sum === -1 ? 1 : 0);
  };
  return {
    bytesPerRecord: () => bytes / count,
    encode() {
      const builder = new codec.BufferBuilder();
      let slot = 0;
      bytes = 0;
      builder.begin(ring[slot]);
      for (let i = 0; i < count; i++) {
        const r = records[i % DISTINCT];
        if (!builder.tryWriteRecord(r, ts(r))) {
          sizes[slot] = builder.size;
          bytes += builder.size;
          slot = (slot + 1) % RING;
          builder.begin(ring[slot]);
          if (!builder.tryWriteRecord(r, ts(r))) throw new Error('record does not fit an empty buffer');
        }
      }
      sizes[slot] = builder.size;
      bytes += builder.size;
      return count;
    },
    decode() {
      const reader = new codec.BufferReader();
      let n = 0;
      for (let i = 0; n < count; i = (i + 1) % RING) if (sizes[i] > 0) n += readAll(reader, ring[i].subarray(0, sizes[i]));
      return n;
    },
    roundTrip() {
      const builder = new codec.BufferBuilder();
      const reader = new codec.BufferReader();
      const buffer = ring[0];
      let n = 0;
      builder.begin(buffer);
      for (let i = 0; i < count; i++) {
        const r = records[i % DISTINCT];
        if (!builder.tryWriteRecord(r, ts(r))) {
          n += readAll(reader, buffer.subarray(0, builder.size));
          builder.begin(buffer);
          builder.tryWriteRecord(r, ts(r));
        }
      }
      return n + readAll(reader, buffer.subarray(0, builder.size));
    },
  };
}

/** msgpackr: batches sized to fill a 32 KiB buffer, each packed alone and copied into a network buffer. */
function msgpackrCodec(Packr, records, count) {
  const packr = new Packr({ useRecords: true, maxSharedStructures: 0 });
  const bytes = packr.pack(records.slice(0, 1000)).length / 1000;
  // 5 % headroom: records vary in size, and a batch must fit one buffer.
  const batch = Math.max(1, Math.floor((BUFFER_SIZE * 0.95) / bytes));
  const ring = Array.from({ length: RING }, () => new Uint8Array(BUFFER_SIZE));
  const sizes = new Array(RING).fill(0);
  const pack = (i) => {
    const start = i % DISTINCT;
    return packr.pack(records.slice(start, Math.min(start + batch, DISTINCT, start + count - i)));
  };
  const readAll = (bytesOfBuffer) => {
    const out = packr.unpack(bytesOfBuffer);
    let sum = 0;
    for (let j = 0; j < out.length; j++) sum += touch(out[j]);
    return out.length + (sum === -1 ? 1 : 0);
  };
  return {
    bytesPerRecord: () => bytes,
    encode() {
      for (let i = 0, slot = 0; i < count; i += batch, slot = (slot + 1) % RING) {
        const packed = pack(i);
        ring[slot].set(packed);
        sizes[slot] = packed.length;
      }
      return count;
    },
    decode() {
      let n = 0;
      for (let i = 0; n < count; i = (i + 1) % RING) if (sizes[i] > 0) n += readAll(ring[i].subarray(0, sizes[i]));
      return n;
    },
    roundTrip() {
      let n = 0;
      for (let i = 0; i < count; i += batch) {
        const packed = pack(i);
        ring[0].set(packed);
        n += readAll(ring[0].subarray(0, packed.length));
      }
      return n;
    },
  };
}

/** Runs `fn`; returns records per wall-clock second and per CPU second of the process (all threads, GC included). */
function time(fn) {
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  const n = fn();
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const used = process.cpuUsage(cpu);
  return { wall: n / wall, cpu: n / ((used.user + used.system) / 1e6) };
}

const OPS = ['encode', 'decode', 'roundTrip'];

/** Worker side: builds one codec for one record kind, then runs a round per message. */
async function serveWorker({ codecName, kindIndex, count, codecModule }) {
  const kind = KINDS[kindIndex];
  const records = kind.records(prng(42 + kindIndex));
  const subject =
    codecName === 'flinkts'
      ? ourCodec(await import(codecModule), kind, records, count)
      : msgpackrCodec((await import('msgpackr')).Packr, records, count);
  parentPort.on('message', () => {
    const result = {};
    for (const op of OPS) result[op] = time(() => subject[op]());
    result.bytesPerRecord = subject.bytesPerRecord();
    parentPort.postMessage(result);
  });
  parentPort.postMessage('ready');
}

/** A worker and a function awaiting its next message (rejected if the worker fails). */
function startWorker(data) {
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  const replies = [];
  let waiting = null;
  let failure = null;
  worker.on('message', (m) => {
    if (waiting !== null) waiting.resolve(m);
    else replies.push(m);
    waiting = null;
  });
  worker.on('error', (e) => {
    failure = e;
    if (waiting !== null) waiting.reject(e);
    waiting = null;
  });
  const next = () => {
    if (replies.length > 0) return Promise.resolve(replies.shift());
    if (failure !== null) return Promise.reject(failure);
    return new Promise((resolve, reject) => (waiting = { resolve, reject }));
  };
  return { worker, next };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Runs the benchmark; returns per record kind the median objects/s of each codec, operation and clock (wall, cpu). */
export default async function run(options = {}) {
  const rounds = options.rounds ?? 7;
  const count = options.records ?? 1_000_000;
  const log = options.log ?? console.log;
  log(`codec benchmark: ${count} records per round, median of ${rounds} rounds, 32 KiB buffers, million objects/s`);
  log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores, Node ${process.version}`);
  const results = [];
  const only = options.kinds ?? 'abc';
  for (let kindIndex = 0; kindIndex < KINDS.length; kindIndex++) {
    if (!only.includes('abc'[kindIndex])) continue;
    const codecs = ['flinkts', 'msgpackr'].map((codecName) => ({
      codecName,
      rounds: [],
      ...startWorker({ codecName, kindIndex, count, codecModule: CODEC }),
    }));
    for (const c of codecs) await c.next(); // 'ready'
    for (let r = 0; r <= rounds; r++) {
      for (const c of codecs) {
        c.worker.postMessage('round');
        const result = await c.next();
        if (r > 0) c.rounds.push(result); // round 0 warms the JIT up
      }
    }
    for (const c of codecs) await c.worker.terminate();
    const row = { name: KINDS[kindIndex].name };
    for (const c of codecs) {
      row[c.codecName] = { bytesPerRecord: c.rounds[0].bytesPerRecord };
      for (const op of OPS) {
        row[c.codecName][op] = { wall: median(c.rounds.map((x) => x[op].wall)), cpu: median(c.rounds.map((x) => x[op].cpu)) };
      }
    }
    results.push(row);
    const f = (x) => (x / 1e6).toFixed(2).padStart(7);
    const cells = (get) => OPS.map((op) => `${get(op, 'wall')} ${get(op, 'cpu')}`).join('   ');
    const ratio = (op, clock) => `${(row.flinkts[op][clock] / row.msgpackr[op][clock]).toFixed(2)}x`.padStart(7);
    const ts = kindIndex === 2 ? 'no timestamps' : 'ours also carries a timestamp';
    log(`\n${row.name}: ${row.flinkts.bytesPerRecord.toFixed(1)} bytes/record, msgpackr ${row.msgpackr.bytesPerRecord.toFixed(1)} (${ts})`);
    log('              encode (wall, cpu)   decode (wall, cpu)   round trip (wall, cpu)');
    log(`  flinkts  ${cells((op, clock) => f(row.flinkts[op][clock]))}`);
    log(`  msgpackr ${cells((op, clock) => f(row.msgpackr[op][clock]))}`);
    log(`  ratio    ${cells(ratio)}`);
  }
  return results;
}

if (!isMainThread && workerData?.codecName !== undefined) {
  await serveWorker(workerData);
} else if (isMainThread && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const kinds = process.argv.indexOf('--kinds');
  await run({ rounds: arg('--rounds'), records: arg('--records'), kinds: kinds > 0 ? process.argv[kinds + 1] : undefined });
}
