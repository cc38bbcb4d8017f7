import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createRelay } from './server.ts';

try {
  const config = loadConfig();
  const logger = createLogger(config);
  const relay = createRelay(config, logger);
  const port = await relay.listen();
  const url = config.publicUrl ?? `http://localhost:${port}`;
  logger.info({ url, fixtures: config.fixtures }, `Vial is running: open ${url}`);
  // The first signal drains (up to VIAL_DRAIN_MS); a second one exits at once.
  const shutdown = (signal: string) => {
    logger.info({ signal, drainMs: config.drainMs }, 'shutting down: draining in-flight calls');
    process.once('SIGINT', () => process.exit(1));
    process.once('SIGTERM', () => process.exit(1));
    void relay.close().then(() => {
      logger.info('relay closed');
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
