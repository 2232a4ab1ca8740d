import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * The architecture's boundaries are code (.dependency-cruiser.cjs, run by
 * `npm run lint`). Here each rule is shown to bite: a small tree laid out as
 * Baedal is gets one planted violation of each, and the check must fail
 * naming every one; the same tree without them must pass. All are planted
 * in one tree, as each run of the check takes seconds.
 */

const REPO = path.resolve(__dirname, '..');
const DEPCRUISE = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function write(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

/** A tree shaped as Baedal's, with the packages a domain might wrongly reach for. */
function lawfulTree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-boundaries-'));
  fs.mkdirSync(path.join(root, 'packages', 'tsconfig'), { recursive: true });
  fs.copyFileSync(
    path.join(REPO, 'packages', 'tsconfig', 'base.json'),
    path.join(root, 'packages', 'tsconfig', 'base.json'),
  );
  write(
    root,
    'prisma/package.json',
    JSON.stringify({ name: '@baedal/prisma', exports: { './shops': { source: './src/shops.ts' } } }),
  );
  write(root, 'prisma/src/shops.ts', 'export const createShopsClient = () => ({});\n');
  fs.mkdirSync(path.join(root, 'node_modules', '@baedal'), { recursive: true });
  fs.symlinkSync('../../prisma', path.join(root, 'node_modules', '@baedal', 'prisma'));
  write(root, 'node_modules/bullmq/package.json', JSON.stringify({ name: 'bullmq', main: 'index.js' }));
  write(root, 'node_modules/bullmq/index.js', 'exports.Queue = class {};\n');
  write(root, 'packages/contracts/src/index.ts', "export const AREAS = ['MAPO'];\n");
  write(
    root,
    'subgraphs/shops/src/domain/rules.ts',
    "import { AREAS } from '../../../../packages/contracts/src/index';\nexport const first = AREAS[0];\n",
  );
  write(
    root,
    'subgraphs/shops/src/db.ts',
    "import { createShopsClient } from '@baedal/prisma/shops';\nexport const db = createShopsClient();\n",
  );
  write(
    root,
    'subgraphs/shops/src/worker.ts',
    "import { db } from './db';\nimport { first } from './domain/rules';\nexport const worker = { db, first };\n",
  );
  write(root, 'subgraphs/ads/src/db.ts', 'export const db = {};\n');
  write(
    root,
    'workers/src/main.ts',
    "import { worker } from '../../subgraphs/shops/src/worker';\nexport const domains = [worker];\n",
  );
  return root;
}

function violations(root: string): Violation[] {
  let output: string;
  try {
    output = execFileSync(
      process.execPath,
      [
        DEPCRUISE,
        '--config',
        path.join(REPO, '.dependency-cruiser.cjs'),
        '--output-type',
        'json',
        'subgraphs',
        'packages',
        'workers',
        'prisma',
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    // The check exits non-zero when it finds errors; its report is still on stdout.
    output = (error as { stdout: string }).stdout;
  }
  return (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
}

/** [what, rule, file, text, another file the violation needs] — each planted in one tree, so one run checks them all. */
const PLANTED: Array<[string, string, string, string, [string, string] | null]> = [
  [
    'a subgraph importing another',
    'no-subgraph-imports-another',
    'subgraphs/ads/src/resolvers.ts',
    "import { db } from '../../shops/src/db';\nexport const shops = db;\n",
    null,
  ],
  [
    'domain/ importing Prisma',
    'domain-is-pure',
    'subgraphs/shops/src/domain/pricing.ts',
    "import { createShopsClient } from '@baedal/prisma/shops';\nexport const client = createShopsClient;\n",
    null,
  ],
  [
    'domain/ importing BullMQ',
    'domain-is-pure',
    'subgraphs/shops/src/domain/queue.ts',
    "import { Queue } from 'bullmq';\nexport const queue = Queue;\n",
    null,
  ],
  [
    'domain/ importing the network',
    'domain-is-pure',
    'subgraphs/shops/src/domain/fetch.ts',
    "import http from 'node:http';\nexport const get = http.get;\n",
    null,
  ],
  [
    "domain/ importing its subgraph's database module",
    'domain-imports-only-rules',
    'subgraphs/shops/src/domain/lookup.ts',
    "import { db } from '../db';\nexport const lookup = db;\n",
    null,
  ],
  [
    'a shared package importing a subgraph',
    'no-package-imports-an-application',
    'packages/platform/src/shortcut.ts',
    "import { db } from '../../../subgraphs/shops/src/db';\nexport const shops = db;\n",
    null,
  ],
  [
    "the workers reaching past a domain's worker entry",
    'workers-reach-a-domain-through-its-worker-entry',
    'workers/src/cli.ts',
    "import { db } from '../../subgraphs/shops/src/db';\nexport const shops = db;\n",
    null,
  ],
  [
    "the workers writing a domain's tables",
    'workers-write-no-table',
    'workers/src/rebuild.ts',
    "import { createShopsClient } from '@baedal/prisma/shops';\nexport const shops = createShopsClient();\n",
    null,
  ],
  [
    'an import cycle',
    'no-cycles',
    'subgraphs/ads/src/commands.ts',
    "import { events } from './events';\nexport const commands = events;\n",
    ['subgraphs/ads/src/events.ts', "import { commands } from './commands';\nexport const events = { commands };\n"],
  ],
];

describe('the boundary check', () => {
  let lawful: Violation[];
  let planted: Violation[];
  beforeAll(() => {
    const roots = [lawfulTree(), lawfulTree()];
    try {
      for (const [, , file, text, also] of PLANTED) {
        write(roots[1], file, text);
        if (also) write(roots[1], also[0], also[1]);
      }
      [lawful, planted] = roots.map(violations);
    } finally {
      for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  it('passes a tree that keeps every boundary', () => {
    expect(lawful).toEqual([]);
  });

  it.each(PLANTED.map(([what, rule, file]) => [what, rule, file] as const))('fails on %s', (_what, rule, file) => {
    expect(planted).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: expect.objectContaining({ name: rule }), from: file })]),
    );
  });
});
