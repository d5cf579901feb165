import { startPipeline } from './test/e2e/pipeline-harness.ts';
let t = Date.now();
const p = await startPipeline({ batchSize: 3 });
console.log('start', Date.now() - t); t = Date.now();
p.gateway.kill('SIGTERM'); await p.exited;
console.log('sigterm', Date.now() - t); t = Date.now();
await p.close();
console.log('close', Date.now() - t);
