import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { GraphqlAuth } from '../auth/graphql-auth';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { wsOperations } from './graphql-ws.operation';
import { UnpagedListBound } from './unpaged-list-bound';

export const GRAPHQL_PATH = '/graphql';

/**
 * graphql-ws at /graphql. It is ours rather than Nest's because Nest builds its WebSocket server with
 * ws's defaults, which accept 100 MiB frames before any key is checked; ours takes WS_MAX_PAYLOAD_BYTES.
 */
@Injectable()
export class GraphqlWsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private dispose: (() => Promise<void>) | null = null;
  private readonly logger = new Logger('GraphqlWs');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly auth: GraphqlAuth,
    private readonly unpaged: UnpagedListBound,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const limits = this.config.limits;
    // ws reads the frame's length from its header and closes with 1009 past maxPayload, without buffering it.
    const wss = new WebSocketServer({ noServer: true, maxPayload: limits.wsMaxPayloadBytes });
    const schema = this.schemaHost.schema;
    const production = this.config.nodeEnv === 'production';
    const operation = wsOperations(schema, {
      limits,
      production,
      unpagedList: () => this.unpaged.current(),
    });
    const server = useServer(
      {
        schema,
        // Our config, rather than graphql-ws reading NODE_ENV: in production internal error messages stay hidden.
        isProd: production,
        connectionInitWaitTimeout: limits.wsConnectionInitTimeoutMs,
        onConnect: this.auth.onConnect,
        context: this.auth.context,
        // The key first (revoked, over its rate limit), then the document, as HTTP does.
        onSubscribe: (ctx, _id, payload) => this.auth.onSubscribe(ctx) ?? operation(payload),
      },
      wss,
      // A ping every wsKeepAliveMs; a socket with no pong by the next one is terminated.
      limits.wsKeepAliveMs,
    );
    const upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== GRAPHQL_PATH) return void socket.destroy();
      wss.handleUpgrade(request, socket, head, (ws) => {
        wss.emit('connection', ws, request);
        handleSocketErrors(ws, this.logger);
      });
    };
    const http = this.adapterHost.httpAdapter.getHttpServer();
    http.on('upgrade', upgrade);
    this.dispose = async () => {
      http.off('upgrade', upgrade);
      // Closes every socket with 1001 (going away), then the server.
      await server.dispose();
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispose?.();
    this.dispose = null;
  }
}

/**
 * Replaces graphql-ws's socket error handler, which writes every error to console.error. A client's
 * protocol mistake (a frame over maxPayload, a malformed frame: ws codes WS_ERR_*) has already been
 * answered by ws with its close code, so it is only a debug line; anything else is ours (1011).
 */
function handleSocketErrors(ws: WebSocket, logger: Logger): void {
  ws.removeAllListeners('error');
  ws.on('error', (error: Error & { code?: string }) => {
    if (error.code?.startsWith('WS_ERR_')) return logger.debug(`graphql-ws client error: ${error.message}`);
    logger.error({ err: error }, 'graphql-ws socket error');
    ws.close(1011, 'Internal server error');
  });
}
