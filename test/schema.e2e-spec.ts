import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { buildSchema, findBreakingChanges } from 'graphql';
import { RunningApp } from '../src/bootstrap';
import { printAppSchema } from '../src/common/print-schema';
import { startTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('schema.graphql (e2e)', () => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('matches the schema the code generates (run `npm run schema:generate` after changing the API)', async () => {
    const committed = await readFile(join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(printAppSchema(app.app)).toBe(committed);
  });

  it('keeps the core contract: no type, field or argument of it is dropped or changed', async () => {
    const contract = buildSchema(await readFile(join(__dirname, 'contract', 'core.graphql'), 'utf8'));
    const served = app.app.get(GraphQLSchemaHost).schema;
    expect(findBreakingChanges(contract, served)).toEqual([]);
  });
});
