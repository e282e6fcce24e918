// Serves the built console (services/console/dist) on the API's own origin: hashed assets with a
// long cache life, and index.html for every other GET a browser makes (client-side routes).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** Where `npm run build:console` writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist', import.meta.url));

/**
 * Security headers of the console's pages. `'unsafe-eval'` is needed by ajv (via @rjsf), which
 * compiles each plugin's JSON Schema into a function; inline styles by Observable Plot's SVG.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function pageHeaders(res: Response): void {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
}

/** Paths that belong to the API, never to the console. */
const API_PATHS = /^\/(graphql|uploads|downloads|v1|session|healthz)(\/|$)/;

export function consoleRouter(distDir: string = CONSOLE_DIST): Router {
  const router = express.Router();
  const indexFile = join(distDir, 'index.html');
  router.use('/assets', (req, res, next) => {
    pageHeaders(res);
    next();
  }, express.static(join(distDir, 'assets'), { immutable: true, maxAge: '365d', index: false }), (_req: Request, res: Response) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  router.use(express.static(distDir, { index: false, maxAge: '1h' }));
  router.get(/.*/, (req: Request, res: Response, next: NextFunction) => {
    if (API_PATHS.test(req.path)) return next();
    if (!existsSync(indexFile)) {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build:console` (npm ci does it), then restart `condense serve`.\n');
      return;
    }
    pageHeaders(res);
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(readFileSync(indexFile));
  });
  return router;
}
