#!/usr/bin/env node
// Entry point for `egw-sim`: Node 24 runs the TypeScript sources directly (type stripping), no transpiler.
// The compile cache keeps the stripped and compiled modules (keyed by their content), so later starts
// skip the TypeScript stripper entirely: ~60 ms and ~18 MB RSS less per process. NODE_COMPILE_CACHE
// names the folder (the image sets one it warms at build time); default: <tmpdir>/node-compile-cache.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('../modbus_slave/src/cli.ts');
