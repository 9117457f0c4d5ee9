import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { isDatabaseUnavailable } from '../common/errors/database-errors';
import { ErrorCode } from '../common/errors/error-code';
import { WsCloseCode } from '../common/ws-close-codes';
import { GraphqlContext } from './graphql-context';
import { keyFromAuthorization } from './api-key';
import { AuthenticatedSockets } from './authenticated-sockets';
import { AuthService } from './auth.service';
import { Principal } from './principal';
import { RateLimiter } from './rate-limiter';

type WsExtra = { socket: WebSocket; principal?: Principal };

/**
 * Builds each operation's context. Over HTTP it authenticates `Authorization: Bearer <key>` and
 * refuses the whole operation without a valid key (introspection included). Over graphql-ws the
 * connection was authenticated once, at connection_init.
 */
export function graphqlContextFactory(auth: AuthService, limiter: RateLimiter) {
  return async (input: { req?: Request; extra?: WsExtra }): Promise<GraphqlContext> => {
    if (input.extra?.socket) return { socket: input.extra.socket, principal: input.extra.principal };
    const principal = await authenticate(auth, input.req?.headers.authorization);
    if (!principal) {
      throw new GraphQLError('a valid API key is required: send Authorization: Bearer <key>', {
        extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
      });
    }
    const retryAfterMs = limiter.take(principal.keyId);
    if (retryAfterMs > 0) {
      throw new GraphQLError(`rate limit exceeded for the key "${principal.name}"; retry in ${retryAfterMs} ms`, {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfterMs, http: { status: 429 } },
      });
    }
    return { req: input.req, principal };
  };
}

/** Authenticates, telling an unreachable database (SERVICE_UNAVAILABLE, 503) from a bad key. */
async function authenticate(auth: AuthService, authorization: unknown): Promise<Principal | null> {
  try {
    return await auth.authenticate(keyFromAuthorization(authorization));
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    throw new GraphQLError('the database is unavailable; try again shortly', {
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
    });
  }
}

/**
 * graphql-ws `onConnect`: a connection without a valid `connectionParams.authorization` is refused
 * (4403); while the database cannot be reached it is closed with 1013, to be tried again later.
 */
export function graphqlWsOnConnect(auth: AuthService, sockets: AuthenticatedSockets) {
  return async (ctx: { connectionParams?: Readonly<Record<string, unknown>>; extra: unknown }): Promise<boolean> => {
    const extra = ctx.extra as WsExtra;
    let principal: Principal | null;
    try {
      principal = await auth.authenticate(keyFromAuthorization(ctx.connectionParams?.authorization));
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      extra.socket.close(WsCloseCode.TRY_AGAIN_LATER, 'the database is unavailable; try again shortly');
      return false;
    }
    if (!principal) return false;
    extra.principal = principal;
    sockets.track(principal.keyId, extra.socket);
    return true;
  };
}
