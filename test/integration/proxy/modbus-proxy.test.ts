/**
 * The Modbus proxy end to end (proxy-scenario.ts): three clients read a single-client meter through
 * the gateway while it samples at 10 Hz. Runs EGW_PROXY_TEST_S seconds (default 5, to keep the suite
 * lean); `npm run bench -- proxy` runs the same scenario for 60 s and reports the timing figures —
 * missed 10 Hz slots, sampling reads that waited for a proxied one, start lag — which depend on the
 * machine's load and so are bench figures, not assertions here (the gate that keeps proxied reads out
 * of sampling slots is unit-tested: request-queue.test.ts, device-pipeline.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchingPoll, proxySkipReason, runProxyScenario } from './proxy-scenario.ts';

const durationS = Number(process.env.EGW_PROXY_TEST_S ?? 5);

test(
  'three clients read a single-client device through the proxy: device values, one connection, sampling on, writes refused',
  { skip: proxySkipReason, timeout: (durationS + 30) * 1000 },
  async () => {
    const r = await runProxyScenario(durationS * 1000);
    assert.deepEqual(r.clientErrors, [], 'no client saw an error');
    for (const client of ['pymodbus', 'modbus-serial', 'mbpoll'] as const) {
      const n = r.reads.filter((read) => read.client === client).length;
      assert.ok(n >= durationS * 3, `${client} read ${n} times`);
    }
    // Every proxied value is what the device answered on the gateway's connection, no older than allowed.
    for (const read of r.reads) {
      const poll = matchingPoll(read, r.polls);
      assert.ok(poll, `${read.client} FC${read.fc} ${read.address}+${read.values.length}: values of no poll`);
      if (read.atMs !== undefined)
        assert.ok(
          read.atMs - poll.atMs <= r.toleranceMs + 250,
          `${read.client}: answered from a poll ${Math.round(read.atMs - poll.atMs)} ms old`,
        );
    }
    assert.ok(r.proxy.requests.cached! > 0, 'reads answered from the latest poll');
    assert.ok(r.proxy.requests.forwarded! > 0, 'reads forwarded on the device connection');
    assert.equal(r.deviceConnections, 1, 'the device saw exactly one TCP connection');
    assert.ok(r.frequency.runs >= durationS * 10, `${r.frequency.runs} frequency runs`);
    assert.equal(r.frequency.failures, 0);
    assert.equal(r.writes.allowed, 'ok', 'an allow-listed register is written');
    assert.equal(r.writes.refused, 'exception 1', 'a write elsewhere is refused with 01');
    assert.equal(
      r.writes.refusedMulti,
      'exception 1',
      'a multi-register write reaching past the allow-list is refused',
    );
    assert.match(r.metrics, /egw_proxy_requests_total\{device="meter",outcome="cached"\} [1-9]/);
    assert.match(r.metrics, /egw_proxy_requests_total\{device="meter",outcome="refused"\} 2/);
  },
);
