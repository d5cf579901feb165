/** Runs a zod schema over request input and turns the first issue into a ValidationError naming the field. */
import type { z } from 'zod';
import { ValidationError } from '../core/errors.ts';

/** Where the value came from; it prefixes the message and names the field when the issue has no path. */
export type InputPart = 'body' | 'query' | 'path';

/** The offending field of a zod issue: its path, or the unknown key, or the part itself. */
export function issueField(issue: z.core.$ZodIssue, part: InputPart): string {
  // An empty key ({"": 1}) must still show up as a name, not as nothing.
  const segment = (key: PropertyKey): string => (key === '' ? '""' : String(key));
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    return [...issue.path, issue.keys[0] ?? ''].map(segment).join('.');
  }
  return issue.path.length > 0 ? issue.path.map(segment).join('.') : part;
}

/** Parses value with schema; throws a 400 ValidationError whose field and message name the offender. */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ValidationError(`${part}: invalid`, part);
  const field = issueField(issue, part);
  const where = field === part ? part : `${part} field "${field}"`;
  throw new ValidationError(`${where}: ${issue.message}`, field);
}
