import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { withClient } from './support/test-database';

/** The embedded database itself, whatever DATABASE_URL says: it is what `npm start` runs on by default. */
describe('the embedded database (e2e)', () => {
  it('serves Postgres over the wire with a small shared_buffers, and keeps its data across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'embedded-pg-'));
    try {
      const first = await startEmbeddedPostgres(dir);
      await withClient(first.url, async (c) => {
        expect((await c.query('SHOW shared_buffers')).rows[0].shared_buffers).toBe('32MB');
        await c.query('CREATE TABLE kept (n int)');
        await c.query('INSERT INTO kept VALUES (42)');
      });
      await first.stop();

      const again = await startEmbeddedPostgres(dir);
      await withClient(again.url, async (c) => {
        expect((await c.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
        expect((await c.query('SHOW shared_buffers')).rows[0].shared_buffers).toBe('32MB');
      });
      await again.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
