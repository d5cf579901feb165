/**
 * Validates every answer a Chromium page gets from the gateway against the OpenAPI document, as
 * validate-fetch-responses.ts does for the tests' own fetch calls: the dashboard's and the installer's
 * requests are the API's real clients.
 */
import type { Page, Response } from 'playwright-core';
import { responseMismatch } from '../integration/openapi-responses.ts';

/** Starts checking the page's answers; the returned function waits for the checks and lists mismatches. */
export function checkPageAnswers(page: Page): () => Promise<string[]> {
  const mismatches: string[] = [];
  const pending: Promise<void>[] = [];
  const check = async (response: Response): Promise<void> => {
    const headers = await response.allHeaders();
    // Only the gateway's answers (it marks every one nosniff); not the page's other origins.
    if (headers['x-content-type-options'] !== 'nosniff') return;
    const url = new URL(response.url());
    const method = response.request().method();
    const contentType = headers['content-type'] ?? null;
    let body: string | undefined;
    // A live event stream never ends; a body the page went away from cannot be read: status and type only.
    if (method !== 'HEAD' && !(contentType ?? '').startsWith('text/event-stream')) {
      body = await response.text().catch(() => undefined);
    }
    const mismatch = responseMismatch({
      method,
      path: url.pathname + url.search,
      status: response.status(),
      contentType,
      body,
    });
    if (mismatch) mismatches.push(mismatch);
  };
  page.on('response', (response) => void pending.push(check(response).catch(() => undefined)));
  return async () => {
    await Promise.all(pending);
    return mismatches;
  };
}
