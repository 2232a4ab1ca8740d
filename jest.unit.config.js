/*
 * `npm run test:unit`: every pure test (*.test.ts, not *.int.test.ts, which
 * needs Postgres or Redis, nor *.e2e.test.ts, which needs running processes)
 * of every package in one run, against the sources: nothing needs building.
 */
const PACKAGES = {
  platform: 'packages/platform',
  events: 'packages/events',
  contracts: 'packages/contracts',
  stack: 'packages/stack',
};
const SUBGRAPHS = ['shops', 'ads', 'orders', 'payments', 'reviews'];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': '@swc/jest' },
  roots: [
    '<rootDir>/packages',
    '<rootDir>/subgraphs',
    '<rootDir>/gateway',
    '<rootDir>/workers',
    '<rootDir>/prisma',
    '<rootDir>/test',
  ],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
  moduleNameMapper: {
    ...Object.fromEntries(Object.entries(PACKAGES).map(([name, dir]) => [`^@baedal/${name}$`, `<rootDir>/${dir}/src`])),
    ...Object.fromEntries(
      Object.entries(PACKAGES).map(([name, dir]) => [`^@baedal/${name}/(.*)$`, `<rootDir>/${dir}/src/$1`]),
    ),
    ...Object.fromEntries(SUBGRAPHS.map((name) => [`^@baedal/${name}/(.*)$`, `<rootDir>/subgraphs/${name}/src/$1`])),
    '^@baedal/(gateway|workers)/(.*)$': '<rootDir>/$1/src/$2',
    '^@baedal/prisma/config$': '<rootDir>/prisma/src/config',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
