import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_TOKEN_FILE, loadOrCreateApiToken } from '../../../server/src/config/api-token.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egw-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateApiToken', () => {
  it('creates a 32-byte base64url token in a 0600 file and returns the same one later', () => {
    const token = loadOrCreateApiToken(dir, {});
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    const path = join(dir, API_TOKEN_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, 'utf8'), token);
    assert.equal(loadOrCreateApiToken(dir, {}), token);
  });

  it('uses EGW_API_TOKEN instead of the file when set', () => {
    const override = 'a-long-enough-token-123';
    assert.equal(loadOrCreateApiToken(dir, { EGW_API_TOKEN: override }), override);
    assert.throws(
      () => loadOrCreateApiToken(dir, { EGW_API_TOKEN: 'short' }),
      /EGW_API_TOKEN: expected at least 16/,
    );
  });
});
