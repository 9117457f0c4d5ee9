/** WebSocket close codes the server sends on its own initiative. */
export enum WsCloseCode {
  /** The server is going away (shutdown). */
  GOING_AWAY = 1001,
  /** The subscriber fell too far behind; it may reconnect and resume from its last event id. */
  SLOW_CONSUMER = 1013,
  /** The connection's API key was revoked (graphql-ws's own code for a refused connection). */
  FORBIDDEN = 4403,
}
