import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { isDatabaseUnavailable } from '../common/errors/database-errors';
import { ErrorCode } from '../common/errors/error-code';
import { GraphqlContext } from './graphql-context';
import { WsCloseCode } from '../common/ws-close-codes';
import { keyFromAuthorization } from './api-key';
import { keyRateLimitedMessage, rateLimited, tooManyFailuresMessage, unauthenticated } from './auth-errors';
import { AuthLimits, clientAddress } from './auth-limits';
import { AuthService } from './auth.service';
import { AuthenticatedSockets } from './authenticated-sockets';
import { Principal } from './principal';
import { Revocations } from './revocations';

const OPEN = 1; // WebSocket.OPEN, without importing ws's runtime here

type WsExtra = { socket: WebSocket; request?: IncomingMessage; principal?: Principal };
type WsContext = { connectionParams?: Readonly<Record<string, unknown>>; extra: unknown };

/**
 * Authentication and rate limits for GraphQL, over HTTP and graphql-ws alike:
 * - `context` builds each operation's context. Over HTTP it authenticates `Authorization: Bearer
 *   <key>` and refuses the whole operation without a valid key (introspection included); over
 *   graphql-ws the connection was authenticated once, at connection_init.
 * - `onConnect` authenticates a graphql-ws connection at connection_init.
 * - `onSubscribe` holds every graphql-ws operation to its key's rate limit, as HTTP ones are.
 */
@Injectable()
export class GraphqlAuth {
  constructor(
    private readonly auth: AuthService,
    private readonly sockets: AuthenticatedSockets,
    private readonly revocations: Revocations,
    private readonly limits: AuthLimits,
  ) {}

  readonly context = async (input: { req?: Request; extra?: WsExtra }): Promise<GraphqlContext> => {
    if (input.extra?.socket) return { socket: input.extra.socket, principal: input.extra.principal };
    const address = clientAddress(input.req);
    const principal = await this.authenticate(input.req?.headers.authorization);
    if (!principal) {
      this.limits.failures.take(address);
      throw unauthenticated();
    }
    const retryAfterMs = this.limits.operations.take(principal.keyId);
    if (retryAfterMs > 0) throw rateLimited(keyRateLimitedMessage(principal.name, retryAfterMs), retryAfterMs);
    return { req: input.req, principal };
  };

  /**
   * A connection without a valid `connectionParams.authorization` is refused (4403); while the
   * database cannot be reached, or its address is over the failure limit, it is closed with 1013,
   * to be tried again later. The revocation mark is taken before the key is checked, and looked
   * at again once the socket is tracked: a revocation heard at any point of the check closes it.
   */
  readonly onConnect = async (ctx: WsContext): Promise<boolean> => {
    const extra = ctx.extra as WsExtra;
    const address = clientAddress(extra.request);
    const wait = this.limits.failures.peek(address);
    if (wait > 0) {
      extra.socket.close(WsCloseCode.TRY_AGAIN_LATER, tooManyFailuresMessage(wait));
      return false;
    }
    const mark = this.revocations.mark;
    let principal: Principal | null;
    try {
      principal = await this.auth.authenticate(keyFromAuthorization(ctx.connectionParams?.authorization));
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      extra.socket.close(WsCloseCode.TRY_AGAIN_LATER, 'the database is unavailable; try again shortly');
      return false;
    }
    if (!principal) {
      this.limits.failures.take(address);
      return false;
    }
    this.sockets.track(principal.keyId, extra.socket);
    if (this.revocations.revokedSince(principal.keyId, mark)) return false;
    extra.principal = principal;
    return true;
  };

  /** Refuses an operation on a socket that is closing (its key revoked), or past its key's rate limit. */
  readonly onSubscribe = (ctx: WsContext): readonly GraphQLError[] | undefined => {
    const { socket, principal } = ctx.extra as WsExtra;
    // A revoked key's socket is closing, but messages it sent before the close are still read.
    if (!principal || socket.readyState !== OPEN || this.revocations.isRevoked(principal.keyId)) {
      return [new GraphQLError('the API key was revoked', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
    }
    const retryAfterMs = this.limits.operations.take(principal.keyId);
    if (retryAfterMs === 0) return undefined;
    const { message, extensions } = rateLimited(keyRateLimitedMessage(principal.name, retryAfterMs), retryAfterMs);
    const { http: _http, ...wsExtensions } = extensions;
    return [new GraphQLError(message, { extensions: wsExtensions })];
  };

  /** Authenticates, telling an unreachable database (SERVICE_UNAVAILABLE, 503) from a bad key. */
  private async authenticate(authorization: unknown): Promise<Principal | null> {
    try {
      return await this.auth.authenticate(keyFromAuthorization(authorization));
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      throw new GraphQLError('the database is unavailable; try again shortly', {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
      });
    }
  }
}
