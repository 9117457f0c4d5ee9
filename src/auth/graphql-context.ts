import type { Request } from 'express';
import type { WebSocket } from 'ws';
import type { Principal } from './principal';

/** What resolvers find in their context: who is calling, and the HTTP request or the graphql-ws socket. */
export interface GraphqlContext {
  readonly principal?: Principal;
  readonly req?: Request;
  readonly socket?: WebSocket;
}
