/*
 * The architecture's boundaries, checked on every `npm run lint` (and so by
 * `npm test`); test/boundaries.test.ts plants a violation of each rule and
 * expects the check to fail. Workspace packages resolve to their sources
 * through the "source" export condition each package.json declares.
 */

/** Modules a pure rule must not touch: databases, queues, Prisma, the network. */
const IMPURE = [
  '^prisma/',
  '^packages/events/',
  '(^|/)node_modules/(@prisma|prisma|pg|pg-[^/]+|ioredis|bullmq|dataloader|node-fetch|undici|opossum)/',
  '^(node:)?(http|https|http2|net|tls|dgram|dns|child_process|cluster|worker_threads)$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-subgraph-imports-another',
      comment: 'A subgraph owns its domain; another reaches it only through events and the gateway.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^subgraphs/', pathNot: ['^subgraphs/$1/', '^subgraphs/[^/]+/node_modules/'] },
    },
    {
      name: 'no-package-imports-an-application',
      comment:
        'packages/ and prisma/ hold mechanisms and contracts; they never import a subgraph, the gateway or the workers.',
      severity: 'error',
      from: { path: '^(packages|prisma)/' },
      to: { path: '^(subgraphs|gateway|workers|test)/' },
    },
    {
      name: 'domain-is-pure',
      comment:
        "domain/ holds a subgraph's rules: no database, Prisma, BullMQ or network, so they are tested without any.",
      severity: 'error',
      from: { path: '^subgraphs/[^/]+/src/domain/' },
      to: { path: IMPURE },
    },
    {
      name: 'domain-imports-only-rules',
      comment:
        "domain/ may use its subgraph's other rules, the contracts and the platform's mechanisms, nothing else of the subgraph.",
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/src/domain/' },
      to: { path: '^subgraphs/$1/src/', pathNot: '^subgraphs/$1/src/domain/' },
    },
    {
      name: 'workers-reach-a-domain-through-its-worker-entry',
      comment:
        "The workers process reaches a domain only through subgraphs/<name>/src/worker.ts, so only a domain's code writes its tables.",
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^subgraphs/[^/]+/src/', pathNot: '^subgraphs/[^/]+/src/worker\\.ts$' },
    },
    {
      name: 'workers-write-no-table',
      comment:
        "The workers process holds no database client of its own: a domain's worker entry writes that domain's tables.",
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: ['^prisma/', '(^|/)node_modules/(@prisma|pg)/'] },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)dist/', '(^|/)generated/', '^test/\\.logs/'] },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    moduleSystems: ['cjs', 'es6'],
  },
};
