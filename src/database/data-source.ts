import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions, NO_TIMEOUTS } from './data-source-options';

/**
 * The DataSource for the TypeORM CLI (`typeorm -d dist/src/database/data-source.js …`), e.g. to
 * generate a migration against a real Postgres. It needs DATABASE_URL; `npm run migration:run`
 * covers the embedded database as well.
 */
const config = loadConfig();
if (config.databaseUrl === null) {
  throw new Error('the TypeORM CLI needs DATABASE_URL; use npm run migration:run for the embedded database');
}
export default new DataSource(dataSourceOptions(config.databaseUrl, 1, NO_TIMEOUTS));
