/**
 * Parses and validates one profile file (YAML or JSON): schema first, then the register checks.
 * Every error is a ProfileError naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ProfileError } from '../core/errors.ts';
import { checkProfile } from './profile-check.ts';
import { ProfileSchema, type Profile } from './profile-schema.ts';

/** Parses profile text (YAML is a superset of JSON, so one parser serves both) into a checked Profile. */
export function parseProfile(text: string, file: string): Profile {
  let data: unknown;
  try {
    data = parse(text, { prettyErrors: true });
  } catch (error) {
    throw new ProfileError(`${file}: not valid YAML/JSON: ${(error as Error).message}`, { file }, error);
  }
  // Strict at the top level so a misspelt key ("frequncy") is reported, not silently dropped.
  const result = ProfileSchema.strict().safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const field = [...(issue?.path ?? []), ...(unknownKey === undefined ? [] : [unknownKey])].join('.');
    throw new ProfileError(`${file}: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, { file, field });
  }
  checkProfile(result.data, file);
  return result.data;
}

/** Reads and parses one profile file from disk. */
export function loadProfileFile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProfileError(`${path}: cannot read: ${(error as Error).message}`, { file: path }, error);
  }
  return parseProfile(text, path);
}
