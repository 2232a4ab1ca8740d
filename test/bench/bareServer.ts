import fs from 'node:fs';
import http from 'node:http';
import { operationKey } from './fixtures';

/*
 * Reference (a): a bare Node HTTP server answering each benchmark request
 * with the bytes Baedal answered it with. The ceiling on this machine. A read
 * is found by its whole body; a command, whose variables differ every time,
 * by its operation's text (the body parsed only then).
 */

const fixtures = new Map<string, Buffer>(
  Object.entries(JSON.parse(fs.readFileSync(process.env.BENCH_FIXTURES!, 'utf8')) as Record<string, string>).map(
    ([k, v]) => [k, Buffer.from(v)],
  ),
);
const missing = Buffer.from('{"errors":[{"message":"no fixture"}]}');

function answerTo(body: string): Buffer {
  const read = fixtures.get(body);
  if (read) return read;
  try {
    return fixtures.get(operationKey(JSON.parse(body).query)) ?? missing;
  } catch {
    return missing;
  }
}

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = answerTo(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
  })
  .listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => process.send?.('ready'));
