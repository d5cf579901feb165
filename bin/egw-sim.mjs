#!/usr/bin/env node
// Entry point for `egw-sim`: Node 24 runs the TypeScript sources directly (type stripping), no transpiler.
await import('../modbus_slave/src/cli.ts');
