import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ManualClock } from '../../../server/src/core/clock.ts';
import { NotAvailable, NotFoundError } from '../../../server/src/core/errors.ts';
import { createWifiManager } from '../../../server/src/wifi/create-wifi-manager.ts';
import { splitTerseLine } from '../../../server/src/wifi/nmcli-runner.ts';

const FAKE_DIR = resolve('test/fixtures/nmcli');

describe('nmcli terse output', () => {
  it('splits on unescaped colons and unescapes \\: and \\\\', () => {
    assert.deepEqual(splitTerseLine('*:Home\\:Net:82:WPA2'), ['*', 'Home:Net', '82', 'WPA2']);
    assert.deepEqual(splitTerseLine(' :Back\\\\slash:40:'), [' ', 'Back\\slash', '40', '']);
  });
});

describe('NmcliWifiManager against a fake nmcli on PATH', () => {
  let dir = '';
  let log = '';
  const saved = { PATH: process.env.PATH, log: process.env.NMCLI_FAKE_LOG };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egw-nmcli-'));
    log = join(dir, 'calls.jsonl');
    process.env.PATH = `${FAKE_DIR}${delimiter}${saved.PATH}`;
    process.env.NMCLI_FAKE_LOG = log;
  });
  after(async () => {
    process.env.PATH = saved.PATH;
    if (saved.log === undefined) delete process.env.NMCLI_FAKE_LOG;
    else process.env.NMCLI_FAKE_LOG = saved.log;
    delete process.env.NMCLI_FAKE_NM_DOWN;
    await rm(dir, { recursive: true, force: true });
  });

  const calls = async (): Promise<{ args: string[]; stdin: string }[]> =>
    (await readFile(log, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [args = '', stdin = ''] = line.split('\t');
        return { args: args.split('\x1f'), stdin: Buffer.from(stdin, 'base64').toString('utf8') };
      });
  const wifi = () => createWifiManager({ clock: new ManualClock() });

  it('scans: one entry per SSID with its strongest signal, hidden networks left out, escapes undone', async () => {
    const networks = await wifi().scan();
    assert.deepEqual(networks, [
      { ssid: 'Home:Net', signal: 82, security: 'WPA2', inUse: true },
      { ssid: 'Cafe', signal: 71, security: '', inUse: false },
      { ssid: 'Back\\slash 5G', signal: 40, security: 'WPA1 WPA2', inUse: false },
    ]);
    assert.deepEqual((await calls()).at(-1)!.args, [
      '-t',
      '-f',
      'IN-USE,SSID,SIGNAL,SECURITY',
      'device',
      'wifi',
      'list',
      '--rescan',
      'auto',
    ]);
  });

  it('reports the Wi-Fi device state, SSID and IPv4 address', async () => {
    assert.deepEqual(await wifi().status(), { state: 'connected', ssid: 'Home:Net', ipv4: '192.168.1.23' });
  });

  it('connects with the passphrase on stdin only, never in argv', async () => {
    const before = (await calls()).length;
    const state = await wifi().connect('Cafe', 'correct horse battery');
    assert.equal(state.state, 'connected');
    const made = (await calls()).slice(before);
    assert.deepEqual(
      made.map((c) =>
        c.args
          .filter((a) => /^(connection|device|delete|add|up|status|show)$/.test(a))
          .slice(0, 2)
          .join(' '),
      ),
      ['connection delete', 'connection add', 'connection up', 'device status', 'device show'],
    );
    for (const call of made) assert.ok(!call.args.join(' ').includes('correct horse'), 'secret in argv');
    const up = made.find((c) => c.args.includes('up'))!;
    assert.deepEqual(up.args.slice(-2), ['passwd-file', '/dev/stdin']);
    assert.equal(up.stdin, '802-11-wireless-security.psk:correct horse battery\n');
  });

  it('surfaces a failed activation (wrong passphrase) as a 502 error with nmcli’s reason', async () => {
    await assert.rejects(wifi().connect('Cafe', 'wrong passphrase'), (error: Error & { status?: number }) => {
      assert.equal(error.status, 502);
      assert.match(error.message, /Secrets were required/);
      assert.ok(!error.message.includes('wrong passphrase'));
      return true;
    });
  });

  it('rejects a passphrase WPA-PSK cannot take before calling nmcli', async () => {
    const before = (await calls()).length;
    await assert.rejects(wifi().connect('Cafe', 'short'), /8–63/);
    assert.equal((await calls()).length, before);
  });

  it('forgets a known network and reports an unknown one as not found', async () => {
    await wifi().forget('Home:Net');
    await assert.rejects(wifi().forget('Nope'), NotFoundError);
  });

  it('answers NotAvailable (501) when NetworkManager is not running', async () => {
    process.env.NMCLI_FAKE_NM_DOWN = '1';
    try {
      await assert.rejects(
        wifi().scan(),
        (error: unknown) => error instanceof NotAvailable && error.status === 501,
      );
    } finally {
      delete process.env.NMCLI_FAKE_NM_DOWN;
    }
  });

  it('answers NotAvailable (501) when nmcli is not installed', async () => {
    const manager = createWifiManager({ clock: new ManualClock(), command: join(dir, 'no-such-nmcli') });
    await assert.rejects(manager.status(), (error: unknown) => {
      assert.ok(error instanceof NotAvailable);
      assert.equal(error.status, 501);
      assert.match(error.message, /NetworkManager/);
      return true;
    });
  });
});
