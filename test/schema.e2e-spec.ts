import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { buildSchema, findBreakingChanges } from 'graphql';
import { printAppSchema } from '../src/common/print-schema';
import { useTestApp } from './support/test-app';

describe('schema.graphql (e2e)', () => {
  const fixture = useTestApp();

  it('matches the schema the code generates (run `npm run schema:generate` after changing the API)', async () => {
    const committed = await readFile(join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(printAppSchema(fixture.app.app)).toBe(committed);
  });

  it('keeps the core contract: no type, field or argument of it is dropped or changed', async () => {
    const contract = buildSchema(await readFile(join(__dirname, 'contract', 'core.graphql'), 'utf8'));
    const served = fixture.app.app.get(GraphQLSchemaHost).schema;
    expect(findBreakingChanges(contract, served)).toEqual([]);
  });

  it('changed only additively since issue 10: the whole schema of then still holds', async () => {
    const then = buildSchema(await readFile(join(__dirname, 'contract', 'before-issue-11.graphql'), 'utf8'));
    const served = fixture.app.app.get(GraphQLSchemaHost).schema;
    expect(findBreakingChanges(then, served)).toEqual([]);
  });
});
