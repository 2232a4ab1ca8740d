import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { boundedLabel } from './metrics';

/*
 * One scrape covers every copy of a process: two copies under node:cluster
 * (forkPerCore), each counting one start, answer /metrics with the sum,
 * whichever copy the scrape reaches. Run on the built platform, as a process
 * runs it.
 */

const SCRIPT = `
const http = require('node:http');
const { forkPerCore, createLogger, metricsRoute, registry } = require(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'))});
const { Counter } = require(${JSON.stringify(require.resolve('prom-client'))});
if (!forkPerCore(createLogger('metrics-test'), 2)) {
  new Counter({ name: 'test_copies_started_total', help: 'copies', registers: [registry] }).inc();
  http.createServer((req, res) => metricsRoute(req, res)).listen(Number(process.env.PORT), '127.0.0.1');
}
`;

describe('metrics across the copies of a process', () => {
  it('are summed into one scrape', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baedal-metrics-'));
    const script = path.join(dir, 'copies.js');
    fs.writeFileSync(script, SCRIPT);
    const port = 20000 + (process.pid % 20000);
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, PORT: String(port), BAEDAL_LOG_LEVEL: 'silent' },
      cwd: path.resolve(__dirname, '..'),
      stdio: 'inherit',
    });
    try {
      const scrape = async (): Promise<string> => {
        for (let i = 0; i < 100; i++) {
          const text = await fetch(`http://127.0.0.1:${port}/metrics`)
            .then((r) => r.text())
            .catch(() => '');
          // Both copies have started once both have counted.
          if (/test_copies_started_total 2/.test(text)) return text;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('the copies never answered as one');
      };
      const texts = [await scrape(), await scrape(), await scrape()];
      for (const text of texts) expect(text).toMatch(/^test_copies_started_total 2$/m);
    } finally {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('a label whose values come from callers', () => {
  it('keeps the first names and counts later ones as other', () => {
    const label = boundedLabel(2);
    expect([label('A'), label(undefined), label('B'), label('A'), label('')]).toEqual([
      'A',
      'anonymous',
      'other',
      'A',
      'anonymous',
    ]);
  });
});
