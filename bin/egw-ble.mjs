#!/usr/bin/env node
// Entry point for `egw-ble`: loads the TypeScript sources through tsx so a checkout runs without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../bluetooth/src/cli.ts');
