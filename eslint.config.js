// Lint rules. Boundaries: platform-free folders must not import sockets, koa, bleno, modbus-serial or SQLite;
// imports run down the layer order of scripts/import-layers.mjs (README, "Where things live").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYERS, directionPatterns } from './scripts/import-layers.mjs';

const platformImports = {
  patterns: [
    {
      group: [
        'node:net',
        'node:http',
        'node:dgram',
        'koa',
        '@koa/*',
        '@stoprocent/bleno',
        'modbus-serial',
        'better-sqlite3',
        'mqtt',
        'ws',
      ],
      message: 'platform-free module: sockets, koa, bleno, modbus-serial and SQLite belong in adapters',
    },
  ],
};

export default tseslint.config(
  // Build output (gitignored) is not source: scripts/build-installer.ts writes dist/.
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'build/**',
      'test-output/**',
      'bench-output/**',
      'client/vendor/**',
      '.egw/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'use the injected Clock',
        },
      ],
    },
  },
  // One no-restricted-imports setting per folder (a later block replaces an earlier one's, so each
  // block carries everything its files need): the direction rule, bleno outside gatt/, platform-free.
  ...importRules(),
  {
    // The clock module is where real time enters; tests, benches and scripts measure wall time on purpose.
    files: ['server/src/core/clock.ts', 'test/**', 'bench/**', 'scripts/**', 'client/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.mjs', 'client/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        EventSource: 'readonly',
        sessionStorage: 'readonly',
        localStorage: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        WebSocket: 'readonly',
      },
    },
  },
);

/** The no-restricted-imports blocks: direction per layer unit, plus bleno and platform-free limits. */
function importRules() {
  const bleno = { name: '@stoprocent/bleno', message: 'only bluetooth/src/gatt/ imports bleno' };
  const platformFree = ['server/src/core', 'server/src/engine', 'server/src/profiles'];
  const block = (files, unit, { noBleno = true, platform = false, ignores } = {}) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noBleno ? [bleno] : [],
          patterns: [...(platform ? platformImports.patterns : []), ...(unit ? directionPatterns(unit) : [])],
        },
      ],
    },
  });
  const blocks = [block(['client/**'], undefined)];
  for (const unit of LAYERS.flat()) {
    const files = [`${unit}/**`, ...(unit === 'server/src/gateway' ? ['server/src/main.ts'] : [])];
    if (unit === 'bluetooth/src') {
      // bleno is for gatt/ (and the daemon's entry files that load it); egwttp/ is platform-free.
      blocks.push(block(files, unit, { noBleno: false }));
      blocks.push(block(['bluetooth/src/provisioning/**', 'bluetooth/src/ws/**'], unit));
      blocks.push(block(['bluetooth/src/egwttp/**'], unit, { platform: true }));
    } else if (unit === 'modbus_slave/src') {
      blocks.push(block(files, unit, { noBleno: false }));
    } else {
      blocks.push(block(files, unit, { platform: platformFree.includes(unit) }));
    }
  }
  return blocks;
}
