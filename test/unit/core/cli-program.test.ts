import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  errorLine,
  exitCodeOf,
  integerOption,
  numberOption,
  parseOptions,
  runProgram,
} from '../../../server/src/core/cli-program.ts';
import { ConfigError, TransportError, UsageError, ValidationError } from '../../../server/src/core/errors.ts';

/** Runs body through runProgram and captures stderr. */
async function run(body: () => Promise<number>): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    const code = await runProgram('egw-x', body, 'egw-x --help');
    return { code, stderr: err.join('') };
  } finally {
    process.stderr.write = write;
  }
}

describe('cli-program', () => {
  it('exits 0 with what the body returns and 2 or 1 with one stderr line for a throw', async () => {
    assert.deepEqual(await run(async () => EXIT_OK), { code: 0, stderr: '' });
    assert.deepEqual(await run(() => Promise.reject(new TransportError('broker\nunreachable'))), {
      code: EXIT_FAILURE,
      stderr: 'egw-x: broker unreachable\n',
    });
    assert.deepEqual(
      await run(() => Promise.reject(new ConfigError('mqtt.prefix "#": no wildcards', 'mqtt.prefix'))),
      { code: EXIT_USAGE, stderr: 'egw-x: invalid configuration: mqtt.prefix "#": no wildcards\n' },
    );
    assert.deepEqual(
      await run(async () => (parseOptions(['--bogus'], { port: { type: 'string' } }), EXIT_OK)),
      { code: EXIT_USAGE, stderr: "egw-x: Unknown option '--bogus'; see `egw-x --help`\n" },
    );
  });

  it("counts usage, configuration and validation errors and parseArgs failures as the caller's", () => {
    for (const error of [new UsageError('u'), new ConfigError('c', 'k'), new ValidationError('v', 'f')]) {
      assert.equal(exitCodeOf(error), EXIT_USAGE, error.name);
    }
    assert.equal(exitCodeOf(new Error('disk full')), EXIT_FAILURE);
    assert.equal(errorLine('egw', 'plain text'), 'egw: plain text\n');
  });

  it('parses bounded integer and number options, naming the option when one is out of range', () => {
    assert.equal(integerOption('port', undefined, 502, 1, 65535), 502);
    assert.equal(integerOption('port', '1502', 502, 1, 65535), 1502);
    assert.throws(() => integerOption('port', '1.5', 502, 1, 65535), {
      name: 'UsageError',
      message: '--port 1.5: must be an integer from 1 to 65535',
    });
    assert.equal(numberOption('rate', undefined, 0, 1), undefined);
    assert.equal(numberOption('rate', '0.25', 0, 1), 0.25);
    assert.throws(() => numberOption('rate', '2', 0, 1), /--rate 2: must be a number from 0 to 1/);
    assert.throws(() => numberOption('speed', '0', 1e-6), /--speed 0: must be a number ≥ 0.000001/);
    assert.throws(() => numberOption('seed', ''), /--seed : must be a number$/);
  });
});
