import { it } from 'node:test';
import assert from 'node:assert/strict';
import { batchesBody, PAGE_BATCHES } from '../../../../server/src/api/harvests/batches-body.ts';
import { flushAsync, ManualClock } from '../../../../server/src/core/clock.ts';

/** 100 batches of ~1 KB, seq 1..100; recent() as the outbox answers it, and how often it was asked. */
function source() {
  const all = Array.from({ length: 100 }, (_, i) => ({ seq: i + 1, jwt: 'x'.repeat(1000) }));
  const calls: number[] = [];
  const recent = (limit: number, beforeSeq = Infinity) => {
    calls.push(limit);
    return all
      .filter((b) => b.seq < beforeSeq)
      .reverse()
      .slice(0, limit);
  };
  return { recent, calls };
}

async function collect(
  stream: NodeJS.ReadableStream,
): Promise<{ json: Record<string, unknown>; chunks: number }> {
  let text = '';
  let chunks = 0;
  for await (const chunk of stream) {
    text += String(chunk);
    chunks++;
  }
  return { json: JSON.parse(text) as Record<string, unknown>, chunks };
}

it('streams the newest batches a page per event-loop turn, never reading more than a page at once', async () => {
  const { recent, calls } = source();
  // Counts event-loop turns: an immediate that re-arms itself runs once per turn.
  let turns = 0;
  let counting = true;
  const tick = (): void => {
    turns++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  const { json, chunks } = await collect(batchesBody(recent, { limit: 50 }));
  counting = false;
  const seqs = (json.batches as { seq: number }[]).map((b) => b.seq);
  assert.deepEqual(
    seqs,
    Array.from({ length: 50 }, (_, i) => 100 - i),
  );
  assert.equal(json.nextBeforeSeq, undefined);
  assert.ok(
    calls.every((n) => n <= PAGE_BATCHES),
    `pages of at most ${PAGE_BATCHES}: ${calls.join(',')}`,
  );
  assert.ok(chunks >= Math.ceil(50 / PAGE_BATCHES), `${chunks} chunks`);
  assert.ok(turns >= chunks - 1, `other work ran between the pages (${turns} turns, ${chunks} chunks)`);
});

it('ends an answer at maxBytes with the cursor; following it yields every batch exactly once', async () => {
  const { recent } = source();
  const seen: number[] = [];
  let beforeSeq: number | undefined;
  let pages = 0;
  do {
    const { json } = await collect(batchesBody(recent, { limit: 1000, maxBytes: 20_000, beforeSeq }));
    const batches = json.batches as { seq: number }[];
    assert.ok(batches.length <= 20, `page ${pages}: ${batches.length} batches of ~1 KB under a 20 KB bound`);
    seen.push(...batches.map((b) => b.seq));
    beforeSeq = json.nextBeforeSeq as number | undefined;
    pages++;
  } while (beforeSeq !== undefined && pages < 20);
  assert.deepEqual(
    seen,
    Array.from({ length: 100 }, (_, i) => 100 - i),
  );
  assert.ok(pages >= 5, `${pages} pages`);
});

it('answers an empty outbox with an empty list', async () => {
  const { json } = await collect(batchesBody(() => [], { limit: 20 }));
  assert.deepEqual(json, { batches: [] });
});

it('waits for beforePage before every page: a page that waits on the clock comes only when time moves', async () => {
  const { recent } = source();
  const clock = new ManualClock();
  const stream = batchesBody(recent, {
    limit: 3 * PAGE_BATCHES,
    beforePage: () => clock.sleep(100, 'harvests-page'),
  });
  let chunks = 0;
  stream.on('data', () => void chunks++);
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (let i = 0; i < 5; i++) await flushAsync();
  assert.equal(chunks, 0, 'nothing before the clock moved');
  await clock.advance(100);
  for (let i = 0; i < 5; i++) await flushAsync();
  assert.equal(chunks, 1, 'one page per pause');
  for (let i = 0; i < 3; i++) await clock.advance(100);
  await ended;
  assert.equal(chunks, 3);
});
