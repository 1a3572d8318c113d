import type { Logger } from '@ragmesh/telemetry';
import { isInfrastructureError } from '@ragmesh/worker-runtime';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { GatewayError, httpStatus } from './gateway-error.js';

/** Converts a zod failure into a 400 that names each bad field by its JSON path. */
export function validationError(error: z.ZodError): GatewayError {
  const fields = error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // An unknown key is named itself, so `{"tenant": ...}` in a body reports field `tenant`.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: [...path, key].join('.'), problem: 'unknown field' }));
    return [{ field: path.join('.') || '(body)', problem: issue.message }];
  });
  const first = fields[0];
  return new GatewayError('VALIDATION_FAILED', first ? `${first.field}: ${first.problem}` : 'invalid request', { details: { fields } });
}

const RETRY_AFTER_SECONDS = 2;

/** Converts anything thrown into the JSON error shape; unknown errors become 500 and are logged. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  // Express recognises an error handler by its four parameters.
  // eslint-disable-next-line max-params
  return (error: unknown, req, res, _next) => {
    const converted = toGatewayError(error);
    if (converted.code === 'INTERNAL' || converted.code === 'UNAVAILABLE') {
      logger.error('request failed', { method: req.method, path: req.path, code: converted.code, error: String(error), stack: (error as Error)?.stack });
    }
    // A dependency outage: tell clients when to try again rather than leave them guessing.
    if (converted.code === 'UNAVAILABLE') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    if (converted.code === 'RATE_LIMITED') res.set('Retry-After', String(converted.details.retryAfterSeconds ?? 1));
    res.status(httpStatus[converted.code]).json({ error: { code: converted.code, message: converted.message, details: converted.details } });
  };
}

function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof z.ZodError) return validationError(error);
  const e = error as { type?: string; status?: number; limit?: number; retriable?: boolean; message?: string };
  // body-parser's own errors carry a `type`.
  if (e?.type === 'entity.too.large') return new GatewayError('PAYLOAD_TOO_LARGE', `request body exceeds ${e.limit} bytes`, { details: { limit: e.limit } });
  if (e?.type === 'entity.parse.failed') return new GatewayError('VALIDATION_FAILED', 'request body is not valid JSON', { details: { fields: [{ field: '(body)', problem: 'invalid JSON' }] } });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new GatewayError('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported encoding');
  if (e?.retriable === true || isInfrastructureError(error)) return new GatewayError('UNAVAILABLE', 'a dependency is unavailable, retry later', { cause: error, retriable: true });
  return new GatewayError('INTERNAL', 'internal error', { cause: error });
}
