import { sleep, startPipeline, verifyJwt } from './test/e2e/pipeline-harness.ts';
const p = await startPipeline({ batchSize: 3 });
await sleep(12000);
for (const r of p.ingest.records().sort((a, b) => a.seq - b.seq)) {
  const j = verifyJwt(r.jwt, p.publicKey)!;
  console.log(r.seq, j.header.model, Object.values(j.payload).map((h) => `${h.ts}:${h.grid_frequency_samples}:${h.read_ms}`).join(' '));
}
console.log(JSON.stringify(await p.api('/api/stats')).slice(0, 1500));
console.log(p.stderr().slice(-3000));
await p.close();
