/**
 * Unit tests (*.spec.ts beside the code) and end-to-end tests (test/*.e2e-spec.ts against a real database).
 *
 * NestJS 12 ships as ES modules, which Jest on Node 20 cannot `require`. SWC compiles our
 * TypeScript and those packages to CommonJS for the test run; `tsc` type-checks separately
 * (`npm run typecheck`, part of `npm test`).
 */
const swc = (syntax) => [
  '@swc/jest',
  {
    jsc: {
      parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  // TEST_ROOT=src or TEST_ROOT=test narrows a run to the unit or the end-to-end tests (see package.json);
  // bench/ holds the harness's own unit tests, client/src/ the client package's, web/src/ the dashboard's.
  roots: process.env.TEST_ROOT
    ? [`<rootDir>/${process.env.TEST_ROOT}`]
    : ['<rootDir>/src', '<rootDir>/test', '<rootDir>/bench', '<rootDir>/client/src', '<rootDir>/web/src'],
  testRegex: '\\.(e2e-)?spec\\.ts$',
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.m?js$': swc('ecmascript'),
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|strtok3|token-types|peek-readable|uint8array-extras|@tokenizer)/)',
  ],
  // test/postgres/ needs a real Postgres server (several instances on one database): it runs when DATABASE_URL is set.
  testPathIgnorePatterns: process.env.DATABASE_URL
    ? ['/node_modules/']
    : ['/node_modules/', '<rootDir>/test/postgres/'],
  testTimeout: 60000,
};
