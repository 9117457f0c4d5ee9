import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AddressInfo } from 'node:net';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { HttpAuthGate } from './auth/http-auth-gate';
import { Clock } from './common/clock';
import type { AppConfig } from './config/app-config';
import { serveDashboard } from './dashboard/serve-dashboard';
import { DatabaseConnection, openDatabase } from './database/database-connection';

export const MAX_BODY_BYTES = '5mb';

export interface RunningApp {
  readonly app: INestApplication;
  readonly database: DatabaseConnection;
  /** e.g. http://127.0.0.1:3000 */
  readonly url: string;
  /** Stops serving, closes the pools, then the embedded database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  readonly logger?: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose')[];
}

/** Opens the database, builds the app and listens on the configured port. Used by main.ts and the tests alike. */
export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const database = await openDatabase(config);
  let app: NestExpressApplication | undefined;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, database, clock: options.clock }),
      { bodyParser: false, bufferLogs: true, ...(options.logger !== undefined ? { logger: options.logger } : {}) },
    );
    app.useLogger(app.get(PinoLogger));
    // Before the body parser: a request without a key, or from an address over its failure limit,
    // is refused without its body being read.
    app.use('/graphql', app.get(HttpAuthGate).handle);
    app.useBodyParser('json', { limit: MAX_BODY_BYTES });
    serveDashboard(app, config.dashboardDir);
    await app.listen(config.port, config.host);
  } catch (error) {
    await app?.close();
    await database.close();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const running = app;
  return {
    app: running,
    database,
    url: `http://${host}:${port}`,
    async close() {
      await running.close();
      await database.close();
    },
  };
}

export function logStarted(running: RunningApp): void {
  const logger = new Logger('Bootstrap');
  logger.log(`listening on ${running.url}/graphql`);
  logger.log(`database: ${running.database.description}`);
}
