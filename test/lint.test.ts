import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/*
 * `npm run lint` runs ESLint with the repository's own configuration
 * (eslint.config.mjs). Here its rules are shown to bite: a real source file
 * passes as it is, and the same file with one planted violation fails on the
 * rule that forbids it. Files are linted in memory under their real paths, so
 * the type-checked rules and the import graph see the repository as it is.
 */

const REPO = path.resolve(__dirname, '..');

interface Message {
  ruleId: string | null;
  severity: number;
}

/** Lints each text as if it were the file at that path; one ESLint process for all, since each start loads TypeScript. */
function lint(files: Array<{ filePath: string; text: string }>): Message[][] {
  const script = `
    import { ESLint } from 'eslint';
    const files = JSON.parse(await new Promise((done) => {
      let input = '';
      process.stdin.on('data', (chunk) => (input += chunk)).on('end', () => done(input));
    }));
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const { filePath, text } of files) {
      const [result] = await eslint.lintText(text, { filePath });
      out.push(result.messages.map(({ ruleId, severity }) => ({ ruleId, severity })));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO,
    input: JSON.stringify(files),
    encoding: 'utf8',
  });
  return JSON.parse(output) as Message[][];
}

const errorsOf = (messages: Message[]) => messages.filter((m) => m.severity === 2).map((m) => m.ruleId);

const RESOLVERS = 'subgraphs/ads/src/resolvers.ts';
const EVENTS = 'subgraphs/ads/src/events.ts';
const read = (file: string) => fs.readFileSync(path.join(REPO, file), 'utf8');

const PLANTED: Array<[string, string, string, string]> = [
  [
    'a setting read outside config.ts',
    'no-restricted-syntax',
    RESOLVERS,
    `${read(RESOLVERS)}\nexport const port = process.env.PORT;\n`,
  ],
  [
    'a promise left floating (a type-checked rule)',
    '@typescript-eslint/no-floating-promises',
    RESOLVERS,
    `${read(RESOLVERS)}\nexport function forget(): void {\n  void 0;\n  Promise.resolve(1);\n}\n`,
  ],
  [
    'an import cycle (events importing commands, which imports events)',
    'import-x/no-cycle',
    EVENTS,
    `import { startAdPlacement } from './commands';\n${read(EVENTS)}\nexport const start = startAdPlacement;\n`,
  ],
];

describe('the lint check', () => {
  let lawful: Message[][];
  let planted: Message[][];
  beforeAll(() => {
    const results = lint([
      { filePath: RESOLVERS, text: read(RESOLVERS) },
      { filePath: EVENTS, text: read(EVENTS) },
      ...PLANTED.map(([, , filePath, text]) => ({ filePath, text })),
    ]);
    lawful = results.slice(0, 2);
    planted = results.slice(2);
  }, 120_000);

  it('passes the source files as they are', () => {
    expect(lawful.map(errorsOf)).toEqual([[], []]);
  });

  it.each(PLANTED.map(([what, rule], i) => [what, rule, i] as const))('fails on %s', (_what, rule, i) => {
    expect(errorsOf(planted[i])).toContain(rule);
  });
});
