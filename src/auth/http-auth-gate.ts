import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../common/errors/error-code';
import { keyFromAuthorization } from './api-key';
import { MISSING_KEY_MESSAGE, retryAfterSeconds, tooManyFailuresMessage } from './auth-errors';
import { AuthLimits, clientAddress } from './auth-limits';

/**
 * Express middleware in front of the body parser on /graphql. It refuses, before a byte of the
 * body is read: an address over its failed-authentication limit (429 with Retry-After, with no
 * hash and no lookup), and a request with no key or a malformed one (401). The key itself is
 * checked later, in the GraphQL context, and a wrong one counts as a failure there.
 */
@Injectable()
export class HttpAuthGate {
  constructor(private readonly limits: AuthLimits) {}

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'OPTIONS') return next();
    const address = clientAddress(req);
    const wait = this.limits.failures.peek(address);
    if (wait > 0) {
      res.setHeader('retry-after', retryAfterSeconds(wait));
      return refuse(res, 429, tooManyFailuresMessage(wait), {
        code: ErrorCode.SERVICE_UNAVAILABLE,
        retryAfterMs: wait,
      });
    }
    if (keyFromAuthorization(req.headers.authorization) === null) {
      this.limits.failures.take(address);
      return refuse(res, 401, MISSING_KEY_MESSAGE, { code: ErrorCode.UNAUTHENTICATED });
    }
    next();
  };
}

/** Answers as Apollo would, and closes the connection: the unread body is not worth draining. */
function refuse(res: Response, status: number, message: string, extensions: Record<string, unknown>): void {
  res.status(status).setHeader('connection', 'close');
  res.json({ errors: [{ message, extensions }] });
}
