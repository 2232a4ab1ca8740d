import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallFailure, callWithin, keepAliveAgent } from './call';

describe('callWithin', () => {
  const agent = keepAliveAgent(4);
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the body and answers with the status, headers and whole text', async () => {
    const answer = await callWithin(`${base}/x`, {
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
      timeoutMs: 1000,
      agent,
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.text)).toEqual({ method: 'POST', body: '{"a":1}', type: 'application/json' });
    const get = await callWithin(`${base}/y`, { method: 'GET', timeoutMs: 1000, agent });
    expect(JSON.parse(get.text)).toMatchObject({ method: 'GET', body: '' });
  });

  it('gives up on a service that does not answer after the timeout, as a timeout', async () => {
    const started = Date.now();
    const failure = await callWithin(`${base}/hang`, { body: '{}', timeoutMs: 200, agent }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CallFailure);
    expect((failure as CallFailure).kind).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports a refused connection as a connection failure', async () => {
    const failure = await callWithin('http://127.0.0.1:1/x', { body: '{}', timeoutMs: 1000, agent }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CallFailure);
    expect((failure as CallFailure).kind).toBe('connection');
  });
});
