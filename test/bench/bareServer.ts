import fs from 'node:fs';
import http from 'node:http';

/*
 * Reference (a): a bare Node HTTP server answering each benchmark request
 * with the bytes Baedal answered it with. The ceiling on this machine.
 */

const fixtures = new Map<string, Buffer>(
  Object.entries(JSON.parse(fs.readFileSync(process.env.BENCH_FIXTURES!, 'utf8')) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v)]),
);
const missing = Buffer.from('{"errors":[{"message":"no fixture"}]}');

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = fixtures.get(Buffer.concat(chunks).toString()) ?? missing;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
  })
  .listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => process.send?.('ready'));
