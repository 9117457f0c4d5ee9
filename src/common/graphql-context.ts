import type { Request } from 'express';
import type { WebSocket } from 'ws';

/** What resolvers find in their context: the HTTP request, or for graphql-ws the socket. */
export interface GraphqlContext {
  readonly req?: Request;
  readonly socket?: WebSocket;
  readonly connectionParams?: Readonly<Record<string, unknown>>;
}

/** Builds the context for both transports: Apollo passes `{ req }`, graphql-ws its own context with `extra.socket`. */
export function graphqlContext(input: {
  req?: Request;
  extra?: { socket?: WebSocket };
  connectionParams?: Record<string, unknown>;
}): GraphqlContext {
  if (input.extra?.socket) return { socket: input.extra.socket, connectionParams: input.connectionParams ?? {} };
  return { req: input.req };
}
