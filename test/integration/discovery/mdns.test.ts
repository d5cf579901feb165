/**
 * mDNS / DNS-SD inside two network namespaces joined by a veth pair (root only), so multicast never
 * leaves the machine: in "site", `egw run` advertises the gateway and the simulator a HomeWizard P1
 * meter; `egw scan --mdns` there finds both. In "phone", avahi-daemon (on a private D-Bus) and
 * avahi-browse see the gateway's `_egw._tcp` service with its TXT record — a third-party check.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../egw-process.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOOLS = ['/usr/sbin/ip', '/usr/sbin/avahi-daemon', '/usr/bin/avahi-browse', '/usr/bin/dbus-daemon'];
const skip =
  process.getuid?.() !== 0
    ? 'needs root (ip netns)'
    : TOOLS.find((tool) => !existsSync(tool))
      ? `needs ${TOOLS.join(', ')} (apt-get install iproute2 avahi-daemon avahi-utils dbus)`
      : false;

const tag = String(process.pid % 100_000);
const SITE = `egw-site-${tag}`;
const PHONE = `egw-phone-${tag}`;
const children: ChildProcess[] = [];
let dir: string;

const ip = (...args: string[]): void => {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
};
/** Starts a command inside a namespace; its output is kept for failure messages. */
function inNs(
  ns: string,
  command: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; out: () => string } {
  const child = spawn('ip', ['netns', 'exec', ns, ...command], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  children.push(child);
  return { child, out: () => out };
}
/** Runs a command inside a namespace to the end. */
function runInNs(
  ns: string,
  command: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  const { child, out } = inNs(ns, command, env);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out: out() })));
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'egw-mdns-'));
  ip('netns', 'add', SITE);
  ip('netns', 'add', PHONE);
  ip('link', 'add', `es${tag}`, 'netns', SITE, 'type', 'veth', 'peer', 'name', `ep${tag}`, 'netns', PHONE);
  for (const [ns, dev, addr] of [
    [SITE, `es${tag}`, '10.77.0.1/24'],
    [PHONE, `ep${tag}`, '10.77.0.2/24'],
  ] as const) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
  }
  // The phone side: a private system bus for avahi-daemon and avahi-browse.
  writeFileSync(
    join(dir, 'bus.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${dir}/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>`,
  );
  writeFileSync(
    join(dir, 'avahi.conf'),
    `[server]\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=ep${tag}\nenable-dbus=yes\n[publish]\ndisable-publishing=yes\n`,
  );
  inNs(PHONE, ['dbus-daemon', `--config-file=${dir}/bus.conf`, '--nofork']);
  await until('the private bus', () => existsSync(`${dir}/bus`), 5000);
  const avahi = inNs(
    PHONE,
    // avahi-daemon keeps its pid file in /run/avahi-daemon and refuses to start beside another one
    // (a second suite on the machine): `ip netns exec` gives it a mount namespace, where it gets its own.
    [
      'sh',
      '-c',
      'mkdir -p /run/avahi-daemon && mount -t tmpfs egw-avahi /run/avahi-daemon && exec avahi-daemon -f "$0" --no-drop-root --no-chroot --no-rlimits',
      `${dir}/avahi.conf`,
    ],
    {
      DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${dir}/bus`,
    },
  );
  await until('avahi-daemon', () => avahi.out().includes('Server startup complete'), 10_000).catch(
    (error: unknown) => {
      throw new Error(`${String(error)}; avahi-daemon said: ${avahi.out().slice(-500)}`);
    },
  );
  // The site: the gateway with mDNS on, and a simulated HomeWizard P1 meter advertising itself.
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      dataDir: join(dir, 'data'),
      http: { host: '0.0.0.0', port: 5080 },
      mdns: { enabled: true, name: 'egw-test-site' },
    }),
  );
  inNs(SITE, [process.execPath, 'server/src/cli/main.ts', 'run', '--config', join(dir, 'config.json')], {
    EGW_LOG_LEVEL: 'silent',
  });
  inNs(SITE, [
    process.execPath,
    'modbus_slave/src/cli.ts',
    '--profile',
    'sdm630',
    '--port',
    '0',
    '--homewizard-port',
    '8081',
    '--homewizard-mdns',
    '--log-level',
    'silent',
  ]);
});

after(async () => {
  for (const child of children.reverse()) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('close', r)) : undefined)),
  );
  if (!skip) {
    spawnSync('ip', ['netns', 'del', SITE]);
    spawnSync('ip', ['netns', 'del', PHONE]);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('mDNS in network namespaces', { skip, timeout: 60_000 }, () => {
  it('egw scan --mdns finds the gateway and the HomeWizard meter; avahi-browse sees the gateway', async () => {
    interface Finding {
      type: string;
      name: string;
      port: number;
      addresses: string[];
      txt: Record<string, string>;
    }
    const found = await until(
      'both services',
      async () => {
        const r = await runInNs(SITE, [
          process.execPath,
          'server/src/cli/main.ts',
          'scan',
          '--mdns',
          '--timeout',
          '1500',
          '--json',
        ]);
        if (r.code !== 0) return undefined;
        const list = JSON.parse(r.out) as Finding[];
        return list.some((f) => f.type === '_egw._tcp') && list.some((f) => f.type === '_hwenergy._tcp')
          ? list
          : undefined;
      },
      30_000,
    );
    const gateway = found.find((f) => f.type === '_egw._tcp')!;
    assert.equal(gateway.name, 'egw-test-site');
    assert.equal(gateway.port, 5080);
    assert.match(gateway.txt.serial ?? '', /^EGW-/);
    assert.deepEqual([gateway.txt.port, gateway.txt.path], ['5080', '/']);
    assert.ok(gateway.txt.version, 'TXT carries the version');
    const meter = found.find((f) => f.type === '_hwenergy._tcp')!;
    assert.equal(meter.port, 8081);
    assert.equal(meter.txt.product_type, 'HWE-P1');

    // Third party: avahi on the other side of the link resolves _egw._tcp and _http._tcp.
    const bus = { DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${dir}/bus` };
    for (const type of ['_egw._tcp', '_http._tcp']) {
      const line = await until(
        `avahi-browse ${type}`,
        async () => {
          const r = await runInNs(PHONE, ['avahi-browse', '-rpt', type], bus);
          return r.out.split('\n').find((l) => l.startsWith('=;') && l.includes('egw-test-site'));
        },
        20_000,
      );
      const fields = line.split(';');
      assert.equal(fields[7], '10.77.0.1', `${type} address`);
      assert.equal(fields[8], '5080', `${type} port`);
      assert.match(fields[9] ?? '', new RegExp(`"serial=${gateway.txt.serial}"`));
    }
  });
});
