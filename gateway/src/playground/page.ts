import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { isProduction, notFoundRoute } from '@baedal/platform';
import { namesIn, type GatewaySettings } from '../config';
import type { SampleTab } from './samples';

/*
 * The playground as the gateway serves it: the page at GET /graphql for a
 * browser, and its assets under /playground/, all built from npm packages
 * into dist/public/playground (build.ts, which also compresses them) and
 * held in memory.
 * The page's policy lets it load nothing but the gateway's own origin.
 */

export const PLAYGROUND_PATH = '/playground/';
const ASSETS = path.resolve(__dirname, '..', '..', 'dist', 'public', 'playground');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Monaco sets styles on its elements.
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

interface Asset {
  type: string;
  plain: Buffer;
  gzipped: Buffer;
}

export interface PlaygroundOptions {
  endpoint: string;
  demoAccounts: { label: string; email: string; password: string }[];
}

export interface Playground {
  /** Whether the playground answers: a browser's GET /graphql (Accept: text/html) or an asset's path. */
  serves(req: http.IncomingMessage, pathname: string): boolean;
  serve(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void>;
}

/** The playground's settings: demo sign-in only in development, with the accounts the stack seeded. */
export function playgroundOptions(settings: GatewaySettings): PlaygroundOptions {
  const emails = isProduction() ? [] : namesIn(settings.BAEDAL_PLAYGROUND_DEMO_ACCOUNTS);
  return {
    endpoint: '/graphql',
    demoAccounts: emails.map((email) => ({
      label: email.split('@')[0],
      email,
      password: settings.BAEDAL_PLAYGROUND_DEMO_PASSWORD,
    })),
  };
}

const escapeForScript = (json: string) => json.replace(/</g, '\\u003c');

/** The page itself, small and made at start (it carries the settings), compressed then. */
function compressed(type: string, plain: Buffer): Asset {
  return { type, plain, gzipped: gzipSync(plain) };
}

function send(req: http.IncomingMessage, res: http.ServerResponse, asset: Asset, headers: Record<string, string>) {
  const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  const body = gzip ? asset.gzipped : asset.plain;
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': String(body.length),
    'x-content-type-options': 'nosniff',
    vary: 'Accept-Encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Loads the built playground; fails at start, not at a first request, when the build is missing. */
export function loadPlayground({ endpoint, demoAccounts }: PlaygroundOptions): Playground {
  const assets = new Map<string, Asset>();
  const read = (file: string) => fs.readFileSync(path.join(ASSETS, file));
  for (const file of fs.readdirSync(ASSETS)) {
    const type = TYPES[path.extname(file)];
    // Compressed by the build (build.ts).
    if (type) assets.set(file, { type, plain: read(file), gzipped: read(`${file}.gz`) });
  }
  const tabs = JSON.parse(fs.readFileSync(path.join(ASSETS, 'samples.json'), 'utf8')) as SampleTab[];
  const config = escapeForScript(JSON.stringify({ endpoint, tabs, demoAccounts }));
  const html = compressed(
    'text/html; charset=utf-8',
    Buffer.from(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baedal playground</title>
<link rel="stylesheet" href="${PLAYGROUND_PATH}app.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}.baedal-demo-sign-in button{display:block;margin:.5rem 0}</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<script id="baedal-playground" type="application/json">${config}</script>
<script src="${PLAYGROUND_PATH}app.js"></script>
</body>
</html>
`),
  );
  const wantsPage = (req: http.IncomingMessage, pathname: string) =>
    pathname === endpoint && req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
  return {
    serves: (req, pathname) => wantsPage(req, pathname) || pathname.startsWith(PLAYGROUND_PATH),
    serve: (req, res, pathname) => {
      if (wantsPage(req, pathname)) {
        send(req, res, html, { 'cache-control': 'no-store', 'content-security-policy': POLICY });
        return Promise.resolve();
      }
      const asset = assets.get(pathname.slice(PLAYGROUND_PATH.length));
      if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) notFoundRoute(req, res, pathname);
      // Asset names change only with a new build: kept a day, then revalidated.
      else send(req, res, asset, { 'cache-control': 'public, max-age=86400' });
      return Promise.resolve();
    },
  };
}
