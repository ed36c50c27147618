// Benchmark of the network record codec (src/runtime/network/codec.ts) against msgpackr.
//
//   npm run build && node bench/codec.js [--rounds 7] [--records 1000000]
//
// For three record kinds it measures encode, decode and round trip (encode a 32 KiB buffer, then decode it) in
// objects per second, median of the rounds, for the flinkts codec and for msgpackr with
// `useRecords: true, maxSharedStructures: 0` (every batch decodable on its own, as our buffers are), which packs
// batches sized to fill a 32 KiB buffer and copies them into one. Records are generated before timing; every
// decoded record is touched so no decoding can be skipped.
import { Packr } from 'msgpackr';
import { pathToFileURL } from 'node:url';

const CODEC = process.env.FLINKTS_CODEC_MODULE ?? new URL('../dist/src/runtime/network/codec.js', import.meta.url).href;
const BUFFER_SIZE = 32 * 1024;
const DISTINCT = 100_000;

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

/** The record kinds: records (distinct objects) and the timestamp each is sent with. */
function datasets() {
  const rand = prng(42);
  const t0 = 1_700_000_000_000;
  const kv = [];
  for (let i = 0; i < DISTINCT; i++) kv.push({ key: Math.floor(rand() * 100_000), value: Math.floor(rand() * 1000), ts: t0 + i });
  const channels = ['Google', 'Facebook', 'Baidu', 'Apple'];
  const bids = [];
  for (let i = 0; i < DISTINCT; i++) {
    bids.push({
      auction: 1000 + Math.floor(rand() * 10_000),
      bidder: 1000 + Math.floor(rand() * 100_000),
      price: 100 + Math.floor(rand() * 1_000_000),
      channel: channels[i & 3],
      url: `https://www.nexmark.com/${word(rand, 3, 5)}/${word(rand, 3, 5)}/item.htm?query=1`,
      dateTime: t0 + i * 10,
      extra: word(rand, 0, 20),
    });
  }
  const vocabulary = [];
  for (let i = 0; i < 1000; i++) vocabulary.push(word(rand, 3, 10));
  const tuples = [];
  for (let i = 0; i < DISTINCT; i++) tuples.push([vocabulary[Math.floor(rand() * 1000)], 1]);
  return [
    { name: '(a) {key, value, ts}', records: kv, ts: (r) => r.ts },
    { name: '(b) Nexmark bids', records: bids, ts: (r) => r.dateTime },
    { name: '(c) tuples [word, 1]', records: tuples, ts: () => undefined },
  ];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Our codec: encode the whole stream into buffers, keeping them (so decode can be timed alone). */
function ourEncodeAll(codec, set, count, pool) {
  const { records, ts } = set;
  const builder = new codec.BufferBuilder();
  const out = [];
  let next = 0;
  builder.begin(pool[next++ % pool.length]);
  for (let i = 0; i < count; i++) {
    const r = records[i % DISTINCT];
    if (!builder.tryWriteRecord(r, ts(r))) {
      out.push(builder.size);
      builder.begin(pool[next++ % pool.length]);
      if (!builder.tryWriteRecord(r, ts(r))) throw new Error('record does not fit an empty buffer');
    }
  }
  out.push(builder.size);
  return out;
}

function touch(v) {
  return Array.isArray(v) ? v[1] : v.key ?? v.price;
}

function ourDecodeAll(codec, pool, sizes) {
  const reader = new codec.BufferReader();
  let n = 0;
  let sum = 0;
  for (let i = 0; i < sizes.length; i++) {
    reader.begin(pool[i % pool.length].subarray(0, sizes[i]));
    while (reader.hasNext()) {
      if (reader.next() === codec.ENTRY_RECORD) {
        sum += touch(reader.value);
        n++;
      }
    }
  }
  return n + (sum === -1 ? 1 : 0);
}

function ourRoundTrip(codec, set, count, buffer) {
  const { records, ts } = set;
  const builder = new codec.BufferBuilder();
  const reader = new codec.BufferReader();
  let n = 0;
  let sum = 0;
  const drain = () => {
    reader.begin(buffer.subarray(0, builder.size));
    while (reader.hasNext()) {
      if (reader.next() === codec.ENTRY_RECORD) {
        sum += touch(reader.value);
        n++;
      }
    }
  };
  builder.begin(buffer);
  for (let i = 0; i < count; i++) {
    const r = records[i % DISTINCT];
    if (!builder.tryWriteRecord(r, ts(r))) {
      drain();
      builder.begin(buffer);
      builder.tryWriteRecord(r, ts(r));
    }
  }
  drain();
  return n + (sum === -1 ? 1 : 0);
}

/** msgpackr: batches sized to fill a 32 KiB buffer, each packed alone and copied into a network buffer. */
function packBatchSize(packr, records) {
  const bytes = packr.pack(records.slice(0, 1000)).length / 1000;
  // 5 % headroom: records vary in size, and a batch must fit one buffer.
  return { batch: Math.max(1, Math.floor((BUFFER_SIZE * 0.95) / bytes)), bytes };
}

function mpEncodeAll(packr, set, count, batch, pool) {
  const { records } = set;
  const sizes = [];
  for (let i = 0, b = 0; i < count; i += batch, b++) {
    const start = i % DISTINCT;
    const packed = packr.pack(records.slice(start, Math.min(start + batch, DISTINCT, start + count - i)));
    pool[b % pool.length].set(packed);
    sizes.push(packed.length);
  }
  return sizes;
}

function mpDecodeAll(packr, pool, sizes) {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < sizes.length; i++) {
    const batch = packr.unpack(pool[i % pool.length].subarray(0, sizes[i]));
    for (let j = 0; j < batch.length; j++) sum += touch(batch[j]);
    n += batch.length;
  }
  return n + (sum === -1 ? 1 : 0);
}

function mpRoundTrip(packr, set, count, batch, buffer) {
  const { records } = set;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < count; i += batch) {
    const start = i % DISTINCT;
    const packed = packr.pack(records.slice(start, Math.min(start + batch, DISTINCT, start + count - i)));
    buffer.set(packed);
    const out = packr.unpack(buffer.subarray(0, packed.length));
    for (let j = 0; j < out.length; j++) sum += touch(out[j]);
    n += out.length;
  }
  return n + (sum === -1 ? 1 : 0);
}

function time(fn) {
  const t = process.hrtime.bigint();
  const result = fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, result };
}

/** Runs the benchmark; returns per record kind the median objects/s of each codec and operation. */
export default async function run(options = {}) {
  const rounds = options.rounds ?? 7;
  const count = options.records ?? 1_000_000;
  const log = options.log ?? console.log;
  const codec = await import(CODEC);
  const packr = new Packr({ useRecords: true, maxSharedStructures: 0 });
  const results = [];
  log(`codec benchmark: ${count} records per round, median of ${rounds} rounds, 32 KiB buffers (million objects/s)`);
  for (const set of datasets()) {
    const poolSize = Math.ceil((count * 200) / BUFFER_SIZE) + 2;
    const pool = Array.from({ length: poolSize }, () => new Uint8Array(BUFFER_SIZE));
    const { batch, bytes: mpBytes } = packBatchSize(packr, set.records);
    const m = { ours: { encode: [], decode: [], roundTrip: [] }, msgpackr: { encode: [], decode: [], roundTrip: [] } };
    let ourBytes = 0;
    for (let r = 0; r < rounds + 1; r++) {
      const warm = r === 0; // the first round warms up the JIT
      const enc = time(() => ourEncodeAll(codec, set, count, pool));
      const dec = time(() => ourDecodeAll(codec, pool, enc.result));
      if (dec.result !== count) throw new Error(`decoded ${dec.result} of ${count} records`);
      const rt = time(() => ourRoundTrip(codec, set, count, pool[0]));
      ourBytes = enc.result.reduce((a, b) => a + b, 0) / count;
      const menc = time(() => mpEncodeAll(packr, set, count, batch, pool));
      const mdec = time(() => mpDecodeAll(packr, pool, menc.result));
      const mrt = time(() => mpRoundTrip(packr, set, count, batch, pool[0]));
      if (warm) continue;
      m.ours.encode.push(count / enc.seconds);
      m.ours.decode.push(count / dec.seconds);
      m.ours.roundTrip.push(count / rt.seconds);
      m.msgpackr.encode.push(count / menc.seconds);
      m.msgpackr.decode.push(count / mdec.seconds);
      m.msgpackr.roundTrip.push(count / mrt.seconds);
    }
    const row = { name: set.name, bytesPerRecord: { ours: ourBytes, msgpackr: mpBytes } };
    for (const codecName of ['ours', 'msgpackr']) {
      row[codecName] = {};
      for (const op of ['encode', 'decode', 'roundTrip']) row[codecName][op] = median(m[codecName][op]);
    }
    results.push(row);
    const f = (x) => (x / 1e6).toFixed(2).padStart(6);
    const ratio = (op) => (row.ours[op] / row.msgpackr[op]).toFixed(2).padStart(5);
    log(`\n${set.name}: ${ourBytes.toFixed(1)} bytes/record (msgpackr ${mpBytes.toFixed(1)}, with timestamps only in ours)`);
    log('            encode  decode  round trip');
    log(`  flinkts   ${f(row.ours.encode)}  ${f(row.ours.decode)}  ${f(row.ours.roundTrip)}`);
    log(`  msgpackr  ${f(row.msgpackr.encode)}  ${f(row.msgpackr.decode)}  ${f(row.msgpackr.roundTrip)}`);
    log(`  ratio     ${ratio('encode')}x  ${ratio('decode')}x  ${ratio('roundTrip')}x`);
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  await run({ rounds: arg('--rounds'), records: arg('--records') });
}
