// Benchmark of embedded key-value stores for the `embedded` keyed state backend: lmdb, classic-level (LevelDB) and
// rocksdb-native, on the access pattern of a keyed operator.
//
//   node bench/state-stores.js [--entries 1000000] [--stores lmdb,classic-level,rocksdb-native]
//   npm run bench -- state-stores
//
// Keys are 16 bytes: a big-endian key group (128 groups) then 14 bytes of a key id, so a key group is a contiguous
// range, as in the backend; values are 36 bytes. Phases, each timed alone:
//   load    every key once in random order, written in transactions / batches of 10 000 (a write-back cache flush);
//   read    every key once in another random order; synchronous point reads where the store has them (what an
//           operator needs: it reads state inside processElement), otherwise async batches of 1 000, said so;
//   update  read-modify-write of 200 000 random keys, the writes flushed in batches of 10 000;
//   scan    every key group's range, all entries;
//   snapshot  100 000 random keys changed and flushed, a consistent snapshot taken, 10 000 more writes, then the
//           100 000 changed entries read from the snapshot (and checked to be the values before the later writes).
// Plus the store's size on disk. Each store runs in a child process of its own, so no store inherits another's page
// cache or heap. A store whose package is not installed is skipped, saying so (only the chosen one is a dependency;
// `npm install --no-save classic-level rocksdb-native` brings the others back for a comparison).
//
// Then the backends themselves (needs a build; FLINKTS_DIST=<dir> points at another build): value state
// `{ id, label }` for --backend-keys keys (200 000), written then read in random orders, one setCurrentKey per access,
// on the heap backend and on the embedded backend with a cache of 100 000 and of 10 000 entries; then 1 000 hot keys
// (an update and a read per access).
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const KEY_GROUPS = 128;
const VALUE_SIZE = 36;
const WRITE_BATCH = 10_000;
const READ_BATCH = 1_000;
const STORES = ['lmdb', 'classic-level', 'rocksdb-native'];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** Deterministic PRNG (mulberry32), so every store sees the same keys in the same orders. */
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

function shuffled(n, seed) {
  const rand = prng(seed);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

function keyOf(i) {
  const key = Buffer.alloc(16);
  key.writeUInt16BE(i % KEY_GROUPS, 0);
  key.writeUInt32BE(i, 2);
  key.writeUInt32BE(Math.imul(i, 0x9e3779b1) >>> 0, 6);
  return key;
}

function valueOf(i, version) {
  const value = Buffer.alloc(VALUE_SIZE, i & 0xff);
  value.writeUInt32BE(i, 0);
  value.writeUInt32BE(version, 4);
  return value;
}

function groupRange(group) {
  const start = Buffer.alloc(2);
  start.writeUInt16BE(group, 0);
  const end = Buffer.alloc(2);
  end.writeUInt16BE(group + 1, 0);
  return { start, end };
}

/** Imports a store's package; the alternatives are optional (not dependencies), so no static import names them. */
const importStore = (name) => import(name);

/** Store adapters: the same operations on each store, synchronous where the store allows. */
const ADAPTERS = {
  async lmdb(dir) {
    const { open } = await importStore('lmdb');
    // Durability is the checkpoints' job, so no fsync; no compression (values are small).
    const db = open({ path: dir, keyEncoding: 'binary', encoding: 'binary', noSync: true, compression: false, cache: false });
    return {
      note: 'synchronous reads and write transactions (noSync)',
      async write(pairs) {
        db.transactionSync(() => {
          for (const [k, v] of pairs) db.putSync(k, v);
        });
      },
      readSync: (key) => db.getBinary(key),
      async scan(start, end, onEntry) {
        for (const { key, value } of db.getRange({ start, end })) onEntry(key, value);
      },
      async snapshot() {
        const transaction = db.useReadTransaction();
        return { readSync: (key) => db.getBinary(key, { transaction }), close: async () => transaction.done() };
      },
      close: () => db.close(),
    };
  },

  async 'classic-level'(dir) {
    const { ClassicLevel } = await importStore('classic-level');
    const db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    return {
      note: 'getSync reads, async batches',
      async write(pairs) {
        await db.batch(pairs.map(([key, value]) => ({ type: 'put', key, value })));
      },
      readSync: (key) => db.getSync(key),
      async scan(start, end, onEntry) {
        const iterator = db.iterator({ gte: start, lt: end });
        for (;;) {
          const entries = await iterator.nextv(1000);
          if (entries.length === 0) break;
          for (const [k, v] of entries) onEntry(k, v);
        }
        await iterator.close();
      },
      async snapshot() {
        const snapshot = db.snapshot();
        return { readSync: (key) => db.getSync(key, { snapshot }), close: () => snapshot.close() };
      },
      close: () => db.close(),
    };
  },

  async 'rocksdb-native'(dir) {
    const { default: RocksDB } = await importStore('rocksdb-native');
    const db = new RocksDB(dir);
    await db.ready();
    // Batches must always be destroyed, or close() never finishes.
    const readMany = async (session, keys) => {
      const batch = session.read({ capacity: keys.length });
      try {
        const promises = keys.map((k) => batch.get(k));
        await batch.flush();
        return await Promise.all(promises);
      } finally {
        batch.destroy();
      }
    };
    return {
      note: `async read batches of ${READ_BATCH} (no synchronous read)`,
      async write(pairs) {
        const batch = db.write({ capacity: pairs.length });
        try {
          for (const [k, v] of pairs) batch.tryPut(k, v);
          await batch.flush();
        } finally {
          batch.destroy();
        }
      },
      readMany: (keys) => readMany(db, keys),
      async scan(start, end, onEntry) {
        for await (const { key, value } of db.iterator({ gte: start, lt: end })) onEntry(key, value);
      },
      async snapshot() {
        const snapshot = db.snapshot();
        return { readMany: (keys) => readMany(snapshot, keys), close: () => snapshot.close() };
      },
      close: () => db.close(),
    };
  },
};

/** Point reads of `indices`: synchronous one by one, or async batches. Returns the values. */
async function readAll(target, indices, onValue) {
  if (target.readSync !== undefined) {
    for (const i of indices) onValue(i, target.readSync(keyOf(i)));
    return;
  }
  for (let from = 0; from < indices.length; from += READ_BATCH) {
    const slice = Array.from(indices.subarray(from, from + READ_BATCH));
    const values = await target.readMany(slice.map(keyOf));
    slice.forEach((i, n) => onValue(i, values[n]));
  }
}

function duBytes(dir) {
  try {
    return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  } catch {
    return NaN;
  }
}

/** Runs every phase on one store (in the child process) and returns the figures. */
async function measure(name, entries) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `flinkts-bench-${name}-`));
  try {
    const store = await ADAPTERS[name](path.join(dir, 'db'));
    const result = { name, note: store.note };
    const time = async (label, n, fn) => {
      const t0 = performance.now();
      await fn();
      const ms = performance.now() - t0;
      result[label] = { ops: n / (ms / 1000), ms };
    };
    const loadOrder = shuffled(entries, 1);
    await time('load', entries, async () => {
      for (let from = 0; from < entries; from += WRITE_BATCH) {
        const pairs = [];
        for (let n = from; n < Math.min(entries, from + WRITE_BATCH); n++) pairs.push([keyOf(loadOrder[n]), valueOf(loadOrder[n], 0)]);
        await store.write(pairs);
      }
    });
    let bad = 0;
    await time('read', entries, () =>
      readAll(store, shuffled(entries, 2), (i, v) => {
        if (v === undefined || v === null || v.readUInt32BE(0) !== i) bad++;
      }),
    );
    const updates = Math.min(entries, 200_000);
    const updateOrder = shuffled(entries, 3).subarray(0, updates);
    await time('update', updates, async () => {
      let pairs = [];
      const flush = async () => {
        await store.write(pairs);
        pairs = [];
      };
      if (store.readSync !== undefined) {
        for (const i of updateOrder) {
          const version = store.readSync(keyOf(i)).readUInt32BE(4);
          pairs.push([keyOf(i), valueOf(i, version + 1)]);
          if (pairs.length === WRITE_BATCH) await flush();
        }
      } else {
        for (let from = 0; from < updates; from += READ_BATCH) {
          const slice = Array.from(updateOrder.subarray(from, from + READ_BATCH));
          const values = await store.readMany(slice.map(keyOf));
          slice.forEach((i, n) => pairs.push([keyOf(i), valueOf(i, values[n].readUInt32BE(4) + 1)]));
          if (pairs.length >= WRITE_BATCH) await flush();
        }
      }
      if (pairs.length > 0) await flush();
    });
    let scanned = 0;
    await time('scan', entries, async () => {
      for (let g = 0; g < KEY_GROUPS; g++) {
        const { start, end } = groupRange(g);
        await store.scan(start, end, () => scanned++);
      }
    });
    if (scanned !== entries) bad++;
    // Snapshot of changed data: change, flush, snapshot, keep writing, read the changed entries from the snapshot.
    const changes = Math.min(entries, 100_000);
    const changed = shuffled(entries, 4).subarray(0, changes);
    for (let from = 0; from < changes; from += WRITE_BATCH) {
      await store.write(Array.from(changed.subarray(from, from + WRITE_BATCH), (i) => [keyOf(i), valueOf(i, 1000)]));
    }
    let snapshot;
    await time('snapshotTake', 1, async () => {
      snapshot = await store.snapshot();
    });
    await store.write(Array.from(changed.subarray(0, Math.min(changes, WRITE_BATCH)), (i) => [keyOf(i), valueOf(i, 2000)]));
    await time('snapshotRead', changes, () =>
      readAll(snapshot, changed, (i, v) => {
        if (v === undefined || v === null || v.readUInt32BE(4) !== 1000) bad++;
      }),
    );
    await snapshot.close();
    await store.close();
    result.diskBytes = duBytes(path.join(dir, 'db'));
    result.bad = bad;
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function installed(name) {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

function runChild(name, entries) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', name, '--entries', String(entries)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result;
    child.on('message', (m) => (result = m));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result !== undefined ? resolve(result) : reject(new Error(`${name}: child exited with ${code}`))));
  });
}

const fmt = (ops) => (ops >= 1e6 ? `${(ops / 1e6).toFixed(2)} M` : `${Math.round(ops / 1000)} k`);

/** Runs the benchmark and prints a table (figures per second) with each figure's ratio to the best store's. */
export default async function run() {
  const entries = Number(arg('entries', '1000000'));
  const names = arg('stores', STORES.join(',')).split(',');
  const results = [];
  for (const name of names) {
    if (!(name in ADAPTERS)) throw new Error(`unknown store ${name}; known: ${STORES.join(', ')}`);
    if (!(await installed(name))) {
      console.log(`${name}: not installed, skipped (npm install --no-save ${name})`);
      continue;
    }
    results.push(await runChild(name, entries));
  }
  if (results.length === 0) return;
  console.log(`\n${entries.toLocaleString('en')} entries, 16-byte keys, ${VALUE_SIZE}-byte values, ${KEY_GROUPS} key groups (ops/s; ×: ratio to the best)`);
  const rows = [
    ['load (random order, 10 k per transaction)', 'load'],
    ['point reads (random order)', 'read'],
    ['read-modify-write (writes 10 k per transaction)', 'update'],
    ['prefix scan per key group (entries)', 'scan'],
    [`snapshot: read ${Math.min(entries, 100_000) / 1000} k changed entries`, 'snapshotRead'],
  ];
  const pad = (s, n) => String(s).padEnd(n);
  console.log(pad('', 50) + results.map((r) => pad(r.name, 24)).join(''));
  for (const [label, field] of rows) {
    const best = Math.max(...results.map((r) => r[field].ops));
    console.log(pad(label, 50) + results.map((r) => pad(`${fmt(r[field].ops)} (×${(r[field].ops / best).toFixed(2)})`, 24)).join(''));
  }
  console.log(pad('take a snapshot (ms)', 50) + results.map((r) => pad(r.snapshotTake.ms.toFixed(2), 24)).join(''));
  console.log(pad('disk (MB)', 50) + results.map((r) => pad((r.diskBytes / 1e6).toFixed(0), 24)).join(''));
  for (const r of results) console.log(`${r.name}: ${r.note}${r.bad > 0 ? `; ${r.bad} WRONG READS` : ''}`);
  await backends(Number(arg('backend-keys', '200000')));
}

/** The keyed state backends on value state: heap, and embedded with a large and a small cache. */
async function backends(keys) {
  const dist = process.env.FLINKTS_DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
  const load = (module) => import(pathToFileURL(path.join(dist, 'src', module)).href);
  let modules;
  try {
    modules = await Promise.all(['api/state.js', 'runtime/state/heap-keyed-state-backend.js', 'runtime/state/embedded/index.js'].map(load));
  } catch {
    console.log(`\nbackends: no build at ${dist} (npm run build), skipped`);
    return;
  }
  const [{ ValueStateDescriptor }, { HeapKeyedStateBackend }, { createEmbeddedKeyedStateBackend }] = modules;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flinkts-bench-backend-'));
  const cases = [
    ['heap', () => new HeapKeyedStateBackend({ start: 0, end: 127 }, 128)],
    ['embedded, cache 100 k', () => createEmbeddedKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128, tmpDir: tmp, cacheEntries: 100_000 })],
    ['embedded, cache 10 k', () => createEmbeddedKeyedStateBackend({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128, tmpDir: tmp, cacheEntries: 10_000 })],
  ];
  console.log(`\nbackends: value state, ${keys.toLocaleString('en')} keys, random order (accesses/s; ×: ratio to heap)`);
  let heap;
  try {
    for (const [name, make] of cases) {
      const backend = make();
      const state = backend.getState(new ValueStateDescriptor('v'));
      const writeOrder = shuffled(keys, 5);
      let t0 = performance.now();
      for (const key of writeOrder) {
        backend.setCurrentKey(key);
        state.update({ id: key, label: `label-${key}` });
      }
      const writes = keys / ((performance.now() - t0) / 1000);
      let bad = 0;
      t0 = performance.now();
      for (const key of shuffled(keys, 6)) {
        backend.setCurrentKey(key);
        if (state.value()?.id !== key) bad++;
      }
      const reads = keys / ((performance.now() - t0) / 1000);
      // Keys that repeat: 1 000 hot keys, an update and a read each.
      t0 = performance.now();
      for (let i = 0; i < keys; i++) {
        const key = (i * 7) % 1000;
        backend.setCurrentKey(key);
        state.update({ id: key, label: 'hot' });
        if (state.value()?.id !== key) bad++;
      }
      const hot = keys / ((performance.now() - t0) / 1000);
      await backend.dispose?.();
      heap ??= { writes, reads, hot };
      const ratio = (x, base) => `${fmt(x)} (×${(x / base).toFixed(2)})`;
      console.log(
        `${name.padEnd(24)} writes ${ratio(writes, heap.writes)}   reads ${ratio(reads, heap.reads)}   hot update+read ${ratio(hot, heap.hot)}${bad > 0 ? `   ${bad} WRONG READS` : ''}`,
      );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) {
  const result = await measure(arg('child'), Number(arg('entries', '1000000')));
  process.send(result, () => process.exit(0));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run();
}
