#!/usr/bin/env node
// Entry point for `egw-ble`: Node 24 runs the TypeScript sources directly (type stripping), no transpiler.
await import('../bluetooth/src/cli.ts');
