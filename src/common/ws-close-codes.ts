/** WebSocket close codes the server sends on its own initiative. */
export enum WsCloseCode {
  /** The server is going away (shutdown). */
  GOING_AWAY = 1001,
  /** Try again later: the subscriber fell too far behind, or the database is unreachable. */
  TRY_AGAIN_LATER = 1013,
  /** The connection's API key was revoked (graphql-ws's own code for a refused connection). */
  FORBIDDEN = 4403,
}
