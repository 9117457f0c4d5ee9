import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { logStarted, startApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';

/** SIGTERM must end the process within 10 s; past this, whatever still holds it open is cut. */
const SHUTDOWN_DEADLINE_MS = 9000;

async function main(): Promise<void> {
  const running = await startApp(loadConfig());
  logStarted(running);
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: no new connections; finishing requests in flight, closing subscriptions (1001) and pools`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    try {
      await running.close();
      logger.log('shut down cleanly');
      process.exit(0);
    } catch (error) {
      logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`configuration error: ${error.message}`);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exit(1);
});
