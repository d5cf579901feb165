#!/usr/bin/env node
// Entry point for `egw`: Node 24 runs the TypeScript sources directly (type stripping), no transpiler.
await import('../server/src/cli/main.ts');
