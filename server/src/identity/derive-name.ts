/**
 * A deterministic three-word name (adjective-adjective-animal) from the gateway serial, for when no
 * backend gives the gateway a name: the same box always reads the same, e.g. "sunny-brave-otter".
 */
import { createHash } from 'node:crypto';
import { ADJECTIVES } from './adjectives.ts';
import { ANIMALS } from './animals.ts';

function pick(words: readonly string[], value: number): string {
  return words[value % words.length] ?? 'unknown';
}

/** Derives the name from SHA-256 of the serial (so similar serials still give unrelated names). */
export function deriveName(serial: string): string {
  const hash = createHash('sha256').update(serial, 'utf8').digest();
  const first = hash.readUInt32BE(0);
  let second = hash.readUInt32BE(4);
  // Two different adjectives read better than "brave-brave-otter".
  if (pick(ADJECTIVES, second) === pick(ADJECTIVES, first)) second += 1;
  return [pick(ADJECTIVES, first), pick(ADJECTIVES, second), pick(ANIMALS, hash.readUInt32BE(8))].join('-');
}
