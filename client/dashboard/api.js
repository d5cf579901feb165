// Talks to the gateway's own API (same origin). The token is asked for once and kept for the browser
// session only (sessionStorage), never in localStorage.
const TOKEN_KEY = 'egw-token';

/** The token kept for this session, or ''. */
export function sessionToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Remembers the token for this session ('' forgets it). */
export function rememberToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** GET path as JSON; throws with the API's error message. */
export async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  return unwrap(response);
}

/** A call with the token: method, path, optional JSON body. */
export async function send(method, path, body) {
  const headers = { authorization: `Bearer ${sessionToken()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return unwrap(response);
}

async function unwrap(response) {
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = new Error(json?.error?.message ?? `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return json;
}
