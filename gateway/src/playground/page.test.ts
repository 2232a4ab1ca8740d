import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { loadPlayground } from './page';

/* The playground as served, from the build's assets (the gateway's tests run after its build). */

let server: http.Server;
let base: string;
beforeAll(async () => {
  const playground = loadPlayground({
    endpoint: '/graphql',
    demoAccounts: [{ label: 'owner1', email: 'owner1@baedal.dev', password: 'pw</script>' }],
  });
  server = http.createServer((req, res) => {
    const pathname = req.url!.split('?')[0];
    if (playground.serves(req, pathname)) void playground.serve(req, res, pathname);
    else res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const get = (path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get(`${base}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });

describe('the playground page', () => {
  it('is served to a browser at GET /graphql, loading nothing but its own origin', async () => {
    const page = await get('/graphql', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'.*script-src 'self';/);
    const html = page.body.toString();
    expect(html).not.toMatch(/https?:\/\//);
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '/playground/app.css',
      '/playground/app.js',
    ]);
  });

  it('carries its settings as JSON that cannot end the script element', async () => {
    const html = (await get('/graphql', { accept: 'text/html' })).body.toString();
    expect(html).not.toContain('pw</script>');
    const json = /<script id="baedal-playground" type="application\/json">(.*)<\/script>/.exec(html)![1];
    expect(JSON.parse(json)).toMatchObject({ endpoint: '/graphql', demoAccounts: [{ password: 'pw</script>' }] });
  });

  it('is not served to a GraphQL client, and serves its assets compressed', async () => {
    expect((await get('/graphql')).status).toBe(418);
    const app = await get('/playground/app.js', { 'accept-encoding': 'gzip' });
    expect(app.headers['content-encoding']).toBe('gzip');
    expect(app.headers['content-type']).toMatch(/javascript/);
    expect(gunzipSync(app.body).length).toBeGreaterThan(app.body.length);
    for (const worker of ['editor', 'json', 'graphql'])
      expect((await get(`/playground/${worker}.worker.js`)).status).toBe(200);
    expect((await get('/playground/nothing.js')).status).toBe(404);
    expect((await get('/playground/..%2Fpackage.json')).status).toBe(404);
  });
});
