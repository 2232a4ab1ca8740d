import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { boundedLabel, observeOperation, registry } from './metrics';

/*
 * One scrape covers every copy of a process: two copies under node:cluster
 * (forkPerCore), each counting one start, answer /metrics with the sum,
 * whichever copy the scrape reaches. Run on the built platform, as a process
 * runs it.
 */

const SCRIPT = `
const http = require('node:http');
const { forkPerCore, createLogger, metricsRoute, observeOperation, registry } = require(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'index.js'))});
const { Counter } = require(${JSON.stringify(require.resolve('prom-client'))});
if (!forkPerCore(createLogger('metrics-test'), 2)) {
  new Counter({ name: 'test_copies_started_total', help: 'copies', registers: [registry] }).inc();
  observeOperation('Copies', true, process.hrtime.bigint());
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
      // The operations counted on the hot path are summed too.
      expect(texts[0]).toMatch(/^baedal_graphql_requests_total\{operation="Copies",outcome="ok"\} 2$/m);
      expect(texts[0]).toMatch(/^baedal_graphql_request_duration_seconds_count\{operation="Copies"\} 2$/m);
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

describe('operations counted on the hot path', () => {
  it('are served as prom-client serves a counter and a histogram', async () => {
    const startedAt = process.hrtime.bigint() - 3_000_000n; // 3 ms ago
    observeOperation('MetricsTestOp', true, startedAt);
    observeOperation('MetricsTestOp', false, startedAt);
    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE baedal_graphql_request_duration_seconds histogram$/m);
    expect(text).toContain('baedal_graphql_requests_total{operation="MetricsTestOp",outcome="ok"} 1');
    expect(text).toContain('baedal_graphql_requests_total{operation="MetricsTestOp",outcome="error"} 1');
    expect(text).toContain('baedal_graphql_request_duration_seconds_bucket{operation="MetricsTestOp",le="0.0025"} 0');
    expect(text).toContain('baedal_graphql_request_duration_seconds_bucket{operation="MetricsTestOp",le="0.005"} 2');
    expect(text).toContain('baedal_graphql_request_duration_seconds_bucket{operation="MetricsTestOp",le="+Inf"} 2');
    expect(text).toContain('baedal_graphql_request_duration_seconds_count{operation="MetricsTestOp"} 2');
    const json = await registry.getMetricsAsJSON();
    // Copies' registries are summed from this form (AggregatorRegistry).
    expect(json.find((m) => m.name === 'baedal_graphql_requests_total')).toMatchObject({
      type: 'counter',
      aggregator: 'sum',
    });
  });
});
