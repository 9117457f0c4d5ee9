import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

/**
 * The ingest floor: the same HTTP GraphQL request served by Apollo on Express with nothing else,
 * its resolver only counting the outcomes. No database, no auth, no Nest. Whatever the platform
 * does per batch comes on top of this, so its outcomes/s bounds any GraphQL ingest on this machine.
 * The input type is the contract's OutcomeInput.
 */
const typeDefs = `
  input OutcomeInput { breakerName: String! success: Boolean! durationMs: Float error: String }
  type RecordOutcomesResult { accepted: Int! }
  type Query { live: Boolean! }
  type Mutation { recordOutcomes(outcomes: [OutcomeInput!]!): RecordOutcomesResult! }
`;

const resolvers = {
  Query: { live: () => true },
  Mutation: {
    recordOutcomes: (_: unknown, args: { outcomes: readonly unknown[] }) => ({ accepted: args.outcomes.length }),
  },
};

async function main(): Promise<void> {
  const server = new ApolloServer({ typeDefs, resolvers });
  await server.start();
  const app = express();
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/graphql', express.json({ limit: '10mb' }), expressMiddleware(server));
  const listener = app.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    listener.close();
    void server.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
