// Small helpers for the plain-HTTP byte routes: JSON errors with one clear line.
import type { Response } from 'express';

export function httpError(res: Response, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ error: { code, message } });
}
