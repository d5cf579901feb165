/**
 * Masks secrets in settings before they are shown or logged: passwords become "***", and credentials
 * inside URLs (`mqtt://user:pass@host`) lose their password part.
 */

/** "mqtt://user:pass@host:1883" → "mqtt://user:***@host:1883"; other text is returned unchanged. */
export function maskUrlCredentials(text: string): string {
  if (!text.includes('@') || !text.includes('://')) return text;
  try {
    const url = new URL(text);
    if (url.password === '') return text;
    url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}

/** A deep copy with every `password` masked and every URL's credentials masked. */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return maskUrlCredentials(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === 'password' && typeof inner === 'string' && inner !== '' ? '***' : redactSecrets(inner),
    ]),
  );
}
