/**
 * Validates every answer the gateway gives an integration or e2e test through fetch against the OpenAPI
 * document (openapi-responses.ts): fetch is wrapped once per process, and an answer that does not match
 * makes that fetch reject with the reason. A test that swallows fetch errors (a polling helper) cannot
 * hide a mismatch: each one is also printed and fails the process at exit.
 *
 * Loaded by scripts/run-tests.mjs (--import) for every test process, and imported by the shared HTTP
 * helpers (api-harness.ts, egw-process.ts) so a test file run on its own is checked too. Only loopback
 * answers of the gateway (nosniff) on a path the document lists are checked.
 */
const WRAPPED = Symbol.for('egw.openapi-validated-fetch');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Mismatches seen in this process. */
const mismatches: string[] = [];

function requestOf(input: Parameters<typeof fetch>[0], init?: RequestInit): { method: string; url: URL } {
  if (input instanceof Request) return { method: input.method, url: new URL(input.url) };
  return { method: (init?.method ?? 'GET').toUpperCase(), url: new URL(String(input)) };
}

/** Whether this process runs an integration or e2e test (or a helper of one). */
function isIntegrationProcess(): boolean {
  const file = process.argv[1] ?? '';
  return /(^|[/\\])test[/\\](integration|e2e)[/\\]/.test(file);
}

function install(): void {
  const current = globalThis.fetch as typeof fetch & { [WRAPPED]?: true };
  if (current[WRAPPED] || !isIntegrationProcess()) return;
  const original = current.bind(globalThis);
  const validated = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    const { method, url } = requestOf(input, init);
    // The gateway's API marks every answer nosniff; receivers, simulators and fakes of other servers
    // in the tests do not, and are not the gateway the document describes.
    const fromGateway = response.headers.get('x-content-type-options') === 'nosniff';
    if (!LOOPBACK.has(url.hostname) || !fromGateway) return response;
    const contentType = response.headers.get('content-type');
    // A live event stream never ends: its status and type are checked, not its body.
    const unread = method === 'HEAD' || (contentType ?? '').startsWith('text/event-stream');
    const body = unread ? undefined : await response.clone().text();
    // Loaded on first use: the route table and Ajv cost nothing to a process that never asks.
    const { responseMismatch } = await import('./openapi-responses.ts');
    const mismatch = responseMismatch({
      method,
      path: url.pathname + url.search,
      status: response.status,
      contentType,
      body,
    });
    if (mismatch) {
      mismatches.push(mismatch);
      throw new Error(`OpenAPI response validation: ${mismatch}`);
    }
    return response;
  };
  Object.assign(validated, { [WRAPPED]: true });
  globalThis.fetch = validated as typeof fetch;
  process.on('exit', () => {
    if (mismatches.length === 0) return;
    console.error(`OpenAPI response validation: ${mismatches.length} answer(s) did not match the document:`);
    for (const m of mismatches.slice(0, 20)) console.error(`  ${m}`);
    process.exitCode = 1;
  });
}

install();
