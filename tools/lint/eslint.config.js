// The house rules that prose alone did not keep: no promise dropped on the floor, and imports that flow
// one way (README "Architecture"). Run by `./bangnong test` (and `npm run lint`).
//
// It lives in tools/lint with its own packages: typescript-eslint's typed rules need TypeScript 5's
// compiler API, and the project type-checks with TypeScript 7 (native), which has none.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'stream', 'url', 'util', 'buffer', 'events', 'timers', 'worker_threads', 'process'];

/** Imports of another part of the house, by its folder. */
const into = (folder) => [`../${folder}/*`, `../../${folder}/*`, `./${folder}/*`];

export default tseslint.config(
  { ignores: ['node_modules/**', 'tools/**', '.data/**', '.tools/**', '.scratch/**', 'db/migrations/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    basePath: root,
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its error and its order; write `void` where dropping it is meant.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Nothing imports the API or the worker: they are entry points. Tests build both, so they may.
    basePath: root,
    files: ['**/*.ts'],
    ignores: ['api/**', 'worker/**', 'test/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: [...into('api'), ...into('worker')], message: 'api/ and worker/ are entry points: move what you need into domain/, platform/ or db/' }] },
      ],
    },
  },
  {
    // The workflow bundle and the pure domain: deterministic code that runs in Temporal's sandbox. zod is
    // a type there, never a module: each cached workflow would carry its own copy (domain/fields.ts).
    basePath: root,
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    ignores: ['domain/case-schemas.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.filter((m) => !m.includes('*')).map((name) => ({ name, message: 'workflow code runs in a sandbox: no Node built-ins' })),
          patterns: [
            { group: ['node:*'], message: 'workflow code runs in a sandbox: no Node built-ins' },
            { group: [...into('db'), ...into('api'), ...into('platform'), ...into('worker'), ...into('dev'), ...into('cli')], message: 'workflow and domain code import only pure modules (domain/, workflows/)' },
            { group: [...into('activities')], allowTypeImports: true, message: 'workflows import activities as types only: proxyActivities<typeof activities>' },
            { group: ['zod', 'zod/*', '*/case-schemas.js', '../domain/case-schemas.js'], allowTypeImports: true, message: 'zod and the case schemas are types here: the sandbox must not load zod (pass it in, as domain/fields.ts does)' },
            {
              regex: '^(?!\\.|@temporalio/(workflow|common)(/|$)|zod(/|$))',
              message: 'workflow code may import only @temporalio/workflow, @temporalio/common and pure modules of its own',
            },
          ],
        },
      ],
    },
  },
  {
    // The data layer knows no HTTP and no workflow engine.
    basePath: root,
    files: ['db/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['fastify', 'fastify-*', '@fastify/*', '@temporalio/*'], message: 'db/ knows no HTTP and no engine' },
            { group: [...into('api'), ...into('worker'), ...into('workflows'), ...into('activities')], allowTypeImports: true, message: 'db/ may take domain types, not behaviour' },
          ],
        },
      ],
    },
  },
);
