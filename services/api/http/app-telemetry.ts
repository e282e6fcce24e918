// POST /v1/projects/:projectId/telemetry — apps report how a model they run does on the device
// (services/delivery/telemetry.ts has the report and what is kept). Authenticated by the project's
// app key; limited per device (a hash of its install id, kept in memory only) and in size.
// Answers 202 when the report is counted. The protocol is in services/model-client/README.md.
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { normaliseDeviceClass, parseTelemetryReport, recordTelemetry, TELEMETRY_LIMITS } from '../../delivery/telemetry.ts';
import { withTenant } from '../../db/tenant.ts';
import type { ApiServices } from '../context.ts';
import { keyOf } from '../ids.ts';
import { TokenBucketLimiter, type RateLimitOptions } from '../limits/rate-limit.ts';
import { appKeyCaller } from './app-key.ts';
import { deviceOf } from './app-model.ts';
import { httpError } from './respond.ts';

/** Per device: a burst of 20 reports, then one every 3 minutes. */
export const DEFAULT_TELEMETRY_RATE_LIMIT: RateLimitOptions = { capacity: 20, refillPerSecond: 1 / 180 };

/** The body parser, the handler and the route's own error answer, to mount in this order. */
export function appTelemetryRoute(services: ApiServices, rate: RateLimitOptions = DEFAULT_TELEMETRY_RATE_LIMIT) {
  const limiter = new TokenBucketLimiter(rate);
  const parse = express.json({ limit: TELEMETRY_LIMITS.maxBodyBytes, type: () => true });
  const handler = async (req: Request, res: Response): Promise<void> => {
    const key = await appKeyCaller(services, req, res);
    if (!key) return;
    const { installId, deviceClass } = deviceOf(req);
    const device = installId
      ? createHash('sha256').update(installId).digest('hex').slice(0, 32)
      : `address:${req.socket.remoteAddress ?? 'unknown'}`;
    const wait = limiter.take(`${key.projectId}:${device}`);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait)));
      return httpError(res, 429, 'RATE_LIMITED', `too many reports from this device; retry in ${Math.ceil(wait)} s`);
    }
    const parsed = parseTelemetryReport(req.body);
    if ('errors' in parsed) return httpError(res, 400, 'BAD_REQUEST', parsed.errors.join('; '));
    const candidateUuid = keyOf(parsed.report.candidateId, 'Candidate');
    if (!candidateUuid) return httpError(res, 400, 'BAD_REQUEST', 'candidateId: not a candidate id (send the X-Condense-Candidate header of the model response)');
    const recorded = await withTenant(services.database.db, key.orgId, (trx) => recordTelemetry(trx, {
      orgId: key.orgId, projectId: key.projectId, candidateUuid, report: parsed.report,
      deviceClass: normaliseDeviceClass(deviceClass),
    }));
    if (!recorded) return httpError(res, 404, 'NOT_FOUND', 'candidateId: no such candidate in this project');
    res.status(202).json({ accepted: true });
  };
  const parseFailed = (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const e = error as { type?: string };
    if (e?.type === 'entity.too.large') return httpError(res, 413, 'PAYLOAD_TOO_LARGE', `a report is at most ${TELEMETRY_LIMITS.maxBodyBytes} bytes of JSON`);
    if (e?.type === 'entity.parse.failed') return httpError(res, 400, 'BAD_REQUEST', 'the report is not valid JSON');
    next(error);
  };
  return { parse, handler, parseFailed };
}
