/** Adjectives for derived gateway names: short, friendly, unambiguous when read aloud (128 words). */
// A word list reads best as a block; one word per line would be 130 lines of noise.
// prettier-ignore
export const ADJECTIVES: readonly string[] = [
  'able', 'agile', 'amber', 'ample', 'ancient', 'arctic', 'azure', 'balmy', 'bold', 'brave', 'breezy',
  'bright', 'brisk', 'bronze', 'calm', 'candid', 'careful', 'cheerful', 'civil', 'clever', 'cosmic',
  'cozy', 'crisp', 'curious', 'daring', 'dapper', 'dawn', 'deep', 'eager', 'early', 'easy', 'electric',
  'elegant', 'emerald', 'epic', 'fair', 'fancy', 'fast', 'fearless', 'fine', 'fluffy', 'fond', 'frank',
  'free', 'fresh', 'friendly', 'gentle', 'giant', 'glad', 'golden', 'graceful', 'grand', 'green', 'happy',
  'hardy', 'hearty', 'helpful', 'honest', 'humble', 'icy', 'jolly', 'joyful', 'keen', 'kind', 'lively',
  'loyal', 'lucky', 'lunar', 'magic', 'mellow', 'merry', 'mighty', 'misty', 'modest', 'noble', 'nimble',
  'northern', 'patient', 'peaceful', 'plucky', 'polite', 'proud', 'quick', 'quiet', 'radiant', 'rapid',
  'ready', 'rosy', 'royal', 'rustic', 'sandy', 'shiny', 'silent', 'silver', 'simple', 'sleek', 'smart',
  'snowy', 'solar', 'sonic', 'sparkly', 'spry', 'steady', 'stellar', 'stormy', 'sturdy', 'sunny', 'swift',
  'tidy', 'tiny', 'tranquil', 'trusty', 'upbeat', 'valiant', 'vivid', 'warm', 'wise', 'witty', 'windy',
  'young', 'zealous', 'zesty', 'velvet', 'cobalt', 'coral', 'crimson', 'scarlet', 'violet',
];
