#!/usr/bin/env node
// Entry point for `egw-sim`: loads the TypeScript sources through tsx so a checkout runs without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../modbus_slave/src/cli.ts');
