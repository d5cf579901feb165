// Lint rules. Boundaries: platform-free folders must not import sockets, koa, bleno, modbus-serial or SQLite.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  { ignores: ['node_modules/**', 'test-output/**', 'bench-output/**', 'client/vendor/**', '.egw/**'] },
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
  {
    // bleno's types and callbacks stay in the GATT adapter; everything else sees plain bytes. Listed before
    // the platform-free block, which (applying later) keeps its wider list for the folders it names.
    files: [
      'server/**',
      'bluetooth/src/egwttp/**',
      'bluetooth/src/provisioning/**',
      'bluetooth/src/ws/**',
      'client/**',
    ],
    ignores: ['bluetooth/src/gatt/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '@stoprocent/bleno', message: 'only bluetooth/src/gatt/ imports bleno' }] },
      ],
    },
  },
  {
    files: [
      'server/src/core/**',
      'server/src/engine/**',
      'server/src/profiles/**',
      'server/src/modbus/decode*.ts',
      'bluetooth/src/egwttp/**',
    ],
    rules: { 'no-restricted-imports': ['error', platformImports] },
  },
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
