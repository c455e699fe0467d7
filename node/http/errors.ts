// One place maps failures to answers: a WardError keeps its code and both
// messages; a body-parser failure becomes its catalogue entry; anything else
// is a 500 that shows only the public message and logs the internals.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { WardError, wardError } from '../../sync/errors.js';
import type { Logger } from 'pino';

export function notFound(): RequestHandler {
  return (_req, res) => { res.status(404).json(wardError('not_found').toJSON()); };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const known = toWardError(err);
    if (known.status >= 500) log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) { res.end(); return; }
    res.status(known.status).json(known.toJSON());
  };
}

function toWardError(err: unknown): WardError {
  if (err instanceof WardError) return err;
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.too.large') return wardError('body_too_large');
  if (type === 'entity.parse.failed') return wardError('bad_json');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return wardError('unsupported_media_type');
  const status = (err as { status?: number } | null)?.status;
  if (status === 400) return wardError('invalid_input');
  return wardError('internal');
}
