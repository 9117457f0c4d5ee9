import { INestApplication } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';

export const SCHEMA_HEADER = '# Generated from the code by `npm run schema:generate`. Do not edit by hand.\n\n';

/** The running app's GraphQL schema as SDL, exactly as committed in schema.graphql. */
export function printAppSchema(app: INestApplication): string {
  return SCHEMA_HEADER + printSchema(app.get(GraphQLSchemaHost).schema) + '\n';
}
