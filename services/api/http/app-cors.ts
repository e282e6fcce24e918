// CORS for the app routes: browser apps on any origin call them with an app key in the
// Authorization header (no cookies), so every origin may, and the client may read our headers.
import type { NextFunction, Request, Response } from 'express';
import { REQUEST_HEADERS, RESPONSE_HEADERS } from '@condense/model-client';

const ALLOW_HEADERS = ['Authorization', 'If-None-Match', 'Content-Type', ...Object.values(REQUEST_HEADERS)].join(', ');
const EXPOSE_HEADERS = ['ETag', 'Content-Length', 'Retry-After', ...Object.values(RESPONSE_HEADERS)].join(', ');

export function appCors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
    res.setHeader('Access-Control-Max-Age', '86400');
    res.status(204).end();
    return;
  }
  next();
}
