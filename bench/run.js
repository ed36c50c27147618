// `npm run bench [-- name ...]`: runs the benchmarks (all, or the named ones)
// and prints their figures. Needs a build (`npm run build`).
const BENCHES = {
  core: './core-pipeline.js',
  wordcount: './wordcount-cli.js',
  codec: './codec.js',
  windows: './windows.js',
  nexmark: './nexmark.js',
  'state-stores': './state-stores.js',
  checkpoints: './checkpoints.js',
  'file-sink': './file-sink.js',
  kafka: './kafka.js',
};

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(BENCHES);
for (const name of names) {
  const path = BENCHES[name];
  if (path === undefined) {
    console.error(`unknown benchmark '${name}'; available: ${Object.keys(BENCHES).join(', ')}`);
    process.exitCode = 2;
    break;
  }
  console.log(`\n== ${name} ==`);
  const { default: run } = await import(path);
  await run();
}
