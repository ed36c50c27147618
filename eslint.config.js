// ESLint flat config: typescript-eslint's recommended rules plus the import
// direction of DESIGN.md §2, enforced with import-x/no-restricted-paths:
// commands → client → cluster → runtime → graph → api, connectors → api/runtime.
import { fileURLToPath } from 'node:url';
// @eslint/js ships with eslint itself (same version), so it needs no entry of its own in package.json.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The folders of `src/`; each zone below lists the ones a layer may import. */
const SRC_LAYERS = ['api', 'graph', 'runtime', 'cluster', 'client', 'cli', 'connectors', 'config', 'metrics'];

/**
 * A zone: files under `src/<layer>` (or another target) may import from
 * `src/` only the listed layers. Anything else in `src/`, including the package
 * entry `src/index.ts`, is forbidden.
 */
function onlyFromSrc(target, allowed, why) {
  for (const layer of allowed) if (!SRC_LAYERS.includes(layer)) throw new Error(`unknown layer ${layer}`);
  return {
    target,
    from: './src',
    except: allowed.map((layer) => `./${layer}`),
    message: why,
  };
}

const layerZones = [
  onlyFromSrc('./src/api', ['api'], 'src/api is the bottom layer: it imports nothing else from src (DESIGN §2).'),
  onlyFromSrc('./src/graph', ['graph', 'api'], 'src/graph may import only src/api (DESIGN §2).'),
  onlyFromSrc('./src/runtime', ['runtime', 'api', 'graph'], 'src/runtime may import only src/api and src/graph (DESIGN §2).'),
  onlyFromSrc(
    './src/cluster',
    ['cluster', 'runtime', 'graph', 'api', 'config', 'metrics'],
    'src/cluster may import only runtime, graph, api, config and metrics (DESIGN §2).',
  ),
  onlyFromSrc('./src/connectors', ['connectors', 'api', 'runtime', 'config'], 'src/connectors may import only api, runtime and config (DESIGN §2).'),
  onlyFromSrc('./src/config', ['config', 'api'], 'src/config may import only src/api (DESIGN §2).'),
  onlyFromSrc('./src/metrics', ['metrics', 'api'], 'src/metrics may import only src/api (DESIGN §2).'),
  onlyFromSrc(
    './commands',
    ['cli', 'client', 'config', 'api'],
    'commands are thin: they call src/client and render with src/cli; they never reach runtime, cluster or graph directly (STYLE §8).',
  ),
  {
    target: './src/client',
    from: './src/cli',
    message: 'src/client is below the CLI: rendering helpers in src/cli call the client, never the reverse (DESIGN §2).',
  },
  {
    target: './src',
    from: ['./commands', './bin', './test', './examples', './templates'],
    message: 'the engine never imports commands, the CLI entry, tests, examples or templates.',
  },
];

/** Node's globals, for the plain JavaScript files (TypeScript files get them from @types/node). */
const nodeGlobals = Object.fromEntries(
  [
    'console', 'process', 'Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask',
    'structuredClone', 'performance', 'fetch', 'global',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'templates/', 'coverage/', '.bench/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    settings: {
      // Sources import siblings as './x.js' (ESM output names); resolve them to the .ts files.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] },
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
      // no-restricted-paths silently skips imports it cannot resolve, so an unresolvable path must be an error itself.
      'import-x/no-unresolved': 'error',
      // Unused arguments and variables are allowed when named _like _this (e.g. open(_parameters) overrides).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // The graph and runtime erase user record types at the operator boundary (KeySelector<any, any>, ...).
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
  },
);
