import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { entryOf, type CliCommand, type CommandEntry } from '../../../server/src/cli/command.ts';
import { commands as registered } from '../../../server/src/cli/commands/index.ts';
import { helpText, runCli } from '../../../server/src/cli/run-cli.ts';
import { versionCommand } from '../../../server/src/cli/commands/version.ts';
import { ConfigError } from '../../../server/src/core/errors.ts';
import { capturedIo } from '../../fakes/captured-io.ts';

/** Runs the CLI in-process and captures what it writes. */
async function cli(
  argv: string[],
  commands?: CommandEntry[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = capturedIo();
  const code = await runCli(argv, captured.io, commands);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const fake = (name: string, run: CliCommand['run']): CommandEntry =>
  entryOf({ name, summary: `the ${name} command`, usage: `Usage: egw ${name} [--flag]`, run });

describe('runCli', () => {
  it('loads no command module for the command list, and only the one that runs', async () => {
    const loaded: string[] = [];
    const lazy = (name: string): CommandEntry => ({
      name,
      summary: `the ${name} command`,
      load: async () => (loaded.push(name), await fake(name, async () => 0).load()),
    });
    const commands = [lazy('alpha'), lazy('beta')];
    await cli(['--help'], commands);
    assert.deepEqual(loaded, []);
    assert.equal((await cli(['beta'], commands)).code, 0);
    assert.deepEqual(loaded, ['beta']);
  });

  it('lists every registered command with the summary its module declares', async () => {
    for (const entry of registered) {
      const command = await entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary);
    }
  });

  it('lists the commands for no arguments, --help and help', async () => {
    const commands = [fake('alpha', async () => 0), fake('beta', async () => 0)];
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const { code, stdout } = await cli(argv, commands);
      assert.equal(code, 0);
      assert.equal(stdout, helpText(commands));
    }
    assert.match(helpText(commands), /^ {2}alpha {2}the alpha command$/m);
  });

  it('prints a command usage for `<command> --help` and `help <command>` without running it', async () => {
    const commands = [fake('alpha', () => assert.fail('must not run'))];
    assert.deepEqual(await cli(['alpha', '--help'], commands), {
      code: 0,
      stdout: 'Usage: egw alpha [--flag]\n',
      stderr: '',
    });
    assert.equal((await cli(['help', 'alpha'], commands)).stdout, 'Usage: egw alpha [--flag]\n');
  });

  it('passes the remaining arguments and returns the command exit code', async () => {
    let seen: string[] = [];
    const result = await cli(['alpha', 'x', '--y'], [fake('alpha', async (args) => ((seen = args), 3))]);
    assert.deepEqual(seen, ['x', '--y']);
    assert.equal(result.code, 3);
  });

  it('answers an unknown command with exit code 2', async () => {
    const { code, stderr } = await cli(['fly'], []);
    assert.equal(code, 2);
    assert.equal(stderr, 'egw: unknown command "fly"; run `egw --help` for the list\n');
  });

  it('turns a configuration error into one line and exit code 2, other errors into exit code 1', async () => {
    const bad = fake('alpha', () =>
      Promise.reject(new ConfigError('http.port: expected\nan integer', 'http.port')),
    );
    assert.deepEqual(await cli(['alpha'], [bad]), {
      code: 2,
      stdout: '',
      stderr: 'egw alpha: invalid configuration: http.port: expected an integer\n',
    });
    const broken = fake('beta', () => Promise.reject(new Error('disk full')));
    assert.deepEqual(await cli(['beta'], [broken]), { code: 1, stdout: '', stderr: 'egw beta: disk full\n' });
  });

  it('refuses unknown options of a real command with exit code 2 and a hint', async () => {
    const { code, stderr } = await cli(['version', '--bogus'], [entryOf(versionCommand)]);
    assert.equal(code, 2);
    assert.match(stderr, /^egw version: Unknown option '--bogus'; see `egw version --help`\n$/);
  });

  it('prints the package version for version and --version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const argv of [['version'], ['--version']]) {
      const { code, stdout } = await cli(argv, [entryOf(versionCommand)]);
      assert.equal(code, 0);
      assert.equal(stdout, `egw ${pkg.version} (node ${process.version})\n`);
    }
  });
});
