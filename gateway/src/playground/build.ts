import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { readmeTabs } from './samples';

/*
 * Builds the playground (gateway/playground) into dist/public/playground:
 * the app, its stylesheet and fonts, Monaco's three workers, and the README's
 * samples, each beside its gzip. Run by the gateway's build, from installed
 * packages only.
 */

const gatewayRoot = path.resolve(__dirname, '..', '..');
const out = path.join(gatewayRoot, 'dist', 'public', 'playground');
const resolve = (specifier: string) => require.resolve(specifier, { paths: [gatewayRoot] });

async function main() {
  fs.rmSync(out, { recursive: true, force: true });
  const common = {
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    outdir: out,
    logLevel: 'warning',
    legalComments: 'linked',
    define: { 'process.env.NODE_ENV': '"production"' },
  } as const;
  await build({
    ...common,
    entryPoints: { app: path.join(gatewayRoot, 'playground', 'app.tsx') },
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
    jsx: 'automatic',
  });
  await build({
    ...common,
    entryPoints: {
      'editor.worker': resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
      'json.worker': resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
      'graphql.worker': resolve('monaco-graphql/esm/graphql.worker.js'),
    },
  });
  const readme = fs.readFileSync(path.join(gatewayRoot, '..', 'README.md'), 'utf8');
  fs.writeFileSync(path.join(out, 'samples.json'), JSON.stringify(readmeTabs(readme)));
  // Compressed here, once, rather than by every gateway process as it starts (the app is megabytes).
  for (const file of fs.readdirSync(out))
    fs.writeFileSync(path.join(out, `${file}.gz`), gzipSync(fs.readFileSync(path.join(out, file)), { level: 9 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
