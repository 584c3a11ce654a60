// Three tiers, each its own jest project (docs/architecture.md, Tests):
//   unit: *.spec.ts beside the code, no I/O;
//   int:  *.int-spec.ts against the real PostgreSQL and NATS JetStream;
//   e2e:  test/**/*.e2e-spec.ts with the services started as processes from dist/.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = {
  '^@app/(contracts|messaging|persistence|platform|replica|domain)$': '<rootDir>/libs/$1/src',
  // Test helpers (test/support, test fixtures): never compiled into dist/ (tsconfig.build.json).
  '^@test/(.*)$': '<rootDir>/test/$1',
};
// A few dependencies ship ESM only (content-disposition 3, under @fastify/static); Node 20 loads them
// through require(esm) but jest's loader does not, so swc turns them into CommonJS for the tests.
const ESM_ONLY = ['content-disposition'];
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc, [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: swc },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools,scripts,bench}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'int',
      setupFilesAfterEnv: ['<rootDir>/test/support/int-timeout.js'],
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
    },
    {
      ...common,
      displayName: 'e2e',
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.js'],
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.js',
    },
  ],
};
