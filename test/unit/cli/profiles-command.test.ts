import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../server/src/cli/run-cli.ts';
import { ProfileRegistry } from '../../../server/src/profiles/profile-registry.ts';
import { capturedIo } from '../../fakes/captured-io.ts';

/** Runs `egw ARGS` in process and captures stdout. */
async function egw(args: string[]): Promise<{ code: number; stdout: string }> {
  const captured = capturedIo();
  return { code: await runCli(args, captured.io), stdout: captured.stdout() };
}

describe('egw profiles', () => {
  it('lists every profile id with kind, default unit and port, battery and meter', async () => {
    const { code, stdout } = await egw(['profiles', '--json']);
    assert.equal(code, 0);
    const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      rows.map((r) => r.id),
      ProfileRegistry.load().ids(),
    );
    const row = (id: string) => rows.find((r) => r.id === id)!;
    assert.deepEqual(
      { kind: row('sma').kind, unit: row('sma').unit, port: row('sma').port, identify: row('sma').identify },
      { kind: 'inverter', unit: 3, port: 502, identify: true },
    );
    assert.equal(row('goodwe').unit, 247);
    assert.equal(row('solaredge').port, 1502);
    assert.deepEqual(
      [row('goodwe').battery, row('goodwe').meter],
      [true, true],
      'hybrid with battery and meter',
    );
    assert.deepEqual(
      [row('sdm630').kind, row('sdm630').meter, row('sdm630').battery],
      ['meter', true, false],
    );
    assert.equal(row('solaredge-battery').kind, 'battery');
  });

  it('prints a table, one profile a line', async () => {
    const { code, stdout } = await egw(['profiles']);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+KIND\s+UNIT\s+PORT\s+BATTERY\s+METER\s+AUTO\s+MAKE$/);
    assert.match(stdout, /^sma\s+inverter\s+3\s+502\s/m);
    assert.equal(lines.length, ProfileRegistry.load().ids().length + 1);
  });

  it('is where egw read --help sends a user looking for profile ids', async () => {
    const { stdout } = await egw(['read', '--help']);
    assert.match(stdout, /--profile ID .*`egw profiles` lists them/);
    assert.match((await egw(['--help'])).stdout, /^ {2}profiles /m);
  });
});
