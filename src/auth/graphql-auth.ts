import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';
import { ErrorCode } from '../common/errors/error-code';
import { GraphqlContext } from '../common/graphql-context';
import { keyFromAuthorization } from './api-key';
import { AuthenticatedSockets } from './authenticated-sockets';
import { AuthService } from './auth.service';
import { Principal } from './principal';

type WsExtra = { socket: WebSocket; principal?: Principal };

/**
 * Builds each operation's context. Over HTTP it authenticates `Authorization: Bearer <key>` and
 * refuses the whole operation without a valid key (introspection included). Over graphql-ws the
 * connection was authenticated once, at connection_init.
 */
export function graphqlContextFactory(auth: AuthService) {
  return async (input: { req?: Request; extra?: WsExtra }): Promise<GraphqlContext> => {
    if (input.extra?.socket) return { socket: input.extra.socket, principal: input.extra.principal };
    const principal = await auth.authenticate(keyFromAuthorization(input.req?.headers.authorization));
    if (!principal) {
      throw new GraphQLError('a valid API key is required: send Authorization: Bearer <key>', {
        extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
      });
    }
    return { req: input.req, principal };
  };
}

/** graphql-ws `onConnect`: a connection without a valid `connectionParams.authorization` is refused (4403). */
export function graphqlWsOnConnect(auth: AuthService, sockets: AuthenticatedSockets) {
  return async (ctx: { connectionParams?: Readonly<Record<string, unknown>>; extra: unknown }): Promise<boolean> => {
    const principal = await auth.authenticate(keyFromAuthorization(ctx.connectionParams?.authorization));
    if (!principal) return false;
    const extra = ctx.extra as WsExtra;
    extra.principal = principal;
    sockets.track(principal.keyId, extra.socket);
    return true;
  };
}
