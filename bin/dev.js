#!/usr/bin/env node
// The flinkts command line from the TypeScript sources, without a build:
//   node bin/dev.js run examples/wordcount.ts -- --input README.md
//
// It restarts Node with module hooks (passed with --import, so worker threads
// inherit them) that compile .ts files with esbuild on the fly, resolve the
// '.js' specifiers of the sources to their '.ts' files, and resolve 'flinkts'
// and 'flinkts/client' to the sources too, so jobs and the CLI share one copy
// of the API. Then it runs oclif with the commands in ./commands.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('..', import.meta.url);
const ACTIVE = 'FLINKTS_DEV_HOOKS';

if (process.env[ACTIVE] !== '1') {
  const hooks = `
    import { existsSync } from 'node:fs';
    import { readFile } from 'node:fs/promises';
    import { fileURLToPath } from 'node:url';
    import { transform } from ${JSON.stringify(import.meta.resolve('esbuild'))};
    const ROOT = ${JSON.stringify(ROOT.href)};
    const ALIASES = {
      flinkts: ROOT + 'src/index.ts',
      'flinkts/client': ROOT + 'src/client/index.ts',
    };
    const isSource = (url) => url.startsWith(ROOT) && !url.startsWith(ROOT + 'node_modules/') && !url.startsWith(ROOT + 'dist/');
    export async function resolve(specifier, context, next) {
      if (Object.hasOwn(ALIASES, specifier)) return { url: ALIASES[specifier], shortCircuit: true };
      const url = specifier.startsWith('file:') ? specifier
        : (specifier.startsWith('.') && context.parentURL?.startsWith('file:')) ? new URL(specifier, context.parentURL).href
        : undefined;
      if (url !== undefined && isSource(url) && url.endsWith('.js') && !existsSync(new URL(url))) {
        const ts = url.slice(0, -3) + '.ts';
        if (existsSync(new URL(ts))) return { url: ts, shortCircuit: true };
      }
      return next(specifier, context);
    }
    export async function load(url, context, next) {
      if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
      const file = fileURLToPath(url);
      const { code } = await transform(await readFile(file, 'utf8'), {
        loader: 'ts', format: 'esm', target: 'esnext', sourcemap: 'inline', sourcefile: file,
      });
      return { format: 'module', source: code, shortCircuit: true };
    }
  `;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, '--enable-source-maps', '--import', `data:text/javascript,${encodeURIComponent(register)}`, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [ACTIVE]: '1' } },
  );
  process.exit(child.status ?? 1);
}

const { Config, flush, handle, run, settings } = await import('@oclif/core');
// oclif would look for ts-node/tsx; the hooks above do the compiling.
settings.enableAutoTranspile = false;
const pjson = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
const config = await Config.load({
  root: fileURLToPath(ROOT),
  pjson: { ...pjson, oclif: { ...pjson.oclif, commands: './commands' } },
});
await run(process.argv.slice(2), config).then(flush, handle);
