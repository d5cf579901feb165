import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '../../../server/src/config/secret-file.ts';
import { prepareDataDir } from '../../../server/src/config/data-dir.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-secret-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('readOrCreateSecretFile', () => {
  it('creates the file with mode 0600 once and reads it back afterwards', () => {
    const path = join(dir, 'device-key');
    let calls = 0;
    const first = readOrCreateSecretFile(path, () => `secret-${++calls}`);
    assert.equal(first.created, true);
    assert.equal(first.value.toString(), 'secret-1');
    assert.equal(mode(path), 0o600);
    const second = readOrCreateSecretFile(path, () => `secret-${++calls}`);
    assert.equal(second.created, false);
    assert.equal(second.value.toString(), 'secret-1');
    assert.equal(calls, 1);
    assert.deepEqual(readdirSync(dir), ['device-key'], 'no temporary file is left behind');
  });

  it('tightens a secret file readable by others to 0600', () => {
    const path = join(dir, 'api-token');
    writeFileSync(path, 'abc');
    chmodSync(path, 0o644);
    const result = readOrCreateSecretFile(path, () => 'unused');
    assert.equal(result.repaired, true);
    assert.equal(result.value.toString(), 'abc');
    assert.equal(mode(path), 0o600);
  });

  it('refuses an empty secret file rather than replacing it', () => {
    const path = join(dir, 'device-key');
    writeFileSync(path, '', { mode: 0o600 });
    assert.throws(() => readOrCreateSecretFile(path, () => 'new'), /secret file is empty/);
  });

  it('stores binary content unchanged', () => {
    const bytes = Buffer.from([0, 255, 1, 128]);
    const result = readOrCreateSecretFile(join(dir, 'bin'), () => bytes);
    assert.deepEqual(readOrCreateSecretFile(join(dir, 'bin'), () => 'x').value, bytes);
    assert.deepEqual(result.value, bytes);
  });
});

describe('prepareDataDir', () => {
  it('creates nested directories with mode 0700 and returns the absolute path', () => {
    const path = prepareDataDir(join(dir, 'a', 'b'));
    assert.equal(path, join(dir, 'a', 'b'));
    assert.equal(mode(path), 0o700);
  });

  it('names dataDir when the path is a file', () => {
    const path = join(dir, 'file');
    writeFileSync(path, 'x');
    assert.throws(() => prepareDataDir(path), /dataDir: .* not a directory/);
  });
});
