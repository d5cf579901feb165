/**
 * Serves a fixed map of URL paths to files (dashboard, uPlot, swagger-ui): nothing outside the map is
 * reachable, so there is no path traversal to get wrong. Files are read once and kept in memory.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Middleware } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** URL path → absolute file path. */
export type StaticMap = Record<string, string>;

/** Serves GET/HEAD for the mapped paths; everything else passes on. */
export function staticFiles(files: StaticMap, cacheControl = 'no-cache'): Middleware {
  const cache = new Map<string, Buffer>();
  return async (ctx, next) => {
    const file = Object.hasOwn(files, ctx.path) ? files[ctx.path] : undefined;
    if (file === undefined || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    let content = cache.get(file);
    if (!content) {
      try {
        content = await readFile(file);
      } catch {
        return next();
      }
      cache.set(file, content);
    }
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.set('Cache-Control', cacheControl);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = content;
  };
}
