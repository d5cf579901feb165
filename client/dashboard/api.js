// Talks to the gateway's own API (same origin) through the one HTTP client in client/src. The token is
// asked for once and kept for the browser session only (sessionStorage), never in localStorage.
import { httpClient } from '../src/api-client.js';

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

const api = httpClient(window.location.href, sessionToken);

/** GET path as JSON; throws with the API's error message. */
export async function getJson(path) {
  return unwrap(await api.request('GET', path));
}

/** A call with the token: method, path, optional JSON body. */
export async function send(method, path, body) {
  return unwrap(await api.request(method, path, body));
}

function unwrap({ status, body }) {
  if (status >= 400) {
    const error = new Error(body?.error?.message ?? `HTTP ${status}`);
    error.status = status;
    throw error;
  }
  return body ?? undefined;
}
