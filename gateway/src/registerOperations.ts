import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { SUPERGRAPH_PATH } from './compose';
import {
  sha256,
  TRUSTED_DOCUMENTS_PATH,
  type ManifestOperation,
  type PersistedQueryManifest,
} from './persistedOperations';

/*
 * Registers an app's operations for trusted-documents mode:
 *   npm run operations -- register <dir> [--out <manifest>] [--supergraph <file>]
 * Each .graphql file under <dir> is one document (one operation and the
 * fragments it uses), registered by the sha256 of its exact text, which is
 * what the app sends (or sends by hash). Every document must be valid against
 * the supergraph's API schema. Operations other apps registered are kept.
 */

function graphqlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return graphqlFiles(full);
      return entry.name.endsWith('.graphql') ? [full] : [];
    })
    .sort();
}

export function registerOperations(dir: string, manifestPath: string, supergraphPath: string): ManifestOperation[] {
  const api = Supergraph.build(fs.readFileSync(supergraphPath, 'utf8')).apiSchema().toGraphQLJSSchema();
  const added = graphqlFiles(dir).map((file) => {
    const body = fs.readFileSync(file, 'utf8');
    const document = parse(body);
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length !== 1) throw new Error(`${file}: a document registers exactly one operation`);
    const errors = validate(api, document);
    if (errors.length) throw new Error(`${file}: ${errors.map((e) => e.message).join('; ')}`);
    const [operation] = operations;
    return {
      id: sha256(body),
      name: operation.name?.value ?? path.basename(file, '.graphql'),
      type: operation.operation,
      body,
    } satisfies ManifestOperation;
  });
  const existing: PersistedQueryManifest = fs.existsSync(manifestPath)
    ? (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as PersistedQueryManifest)
    : { format: 'apollo-persisted-query-manifest', version: 1, operations: [] };
  const byId = new Map(existing.operations.map((o) => [o.id, o]));
  for (const operation of added) byId.set(operation.id, operation);
  const manifest: PersistedQueryManifest = { ...existing, operations: [...byId.values()] };
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return added;
}

if (require.main === module) {
  const [command, dir, ...rest] = process.argv.slice(2);
  const flag = (name: string) => (rest.includes(name) ? rest[rest.indexOf(name) + 1] : undefined);
  if (command !== 'register' || !dir) {
    console.error('usage: npm run operations -- register <dir> [--out <manifest>] [--supergraph <file>]');
    process.exit(2);
  }
  try {
    const out = path.resolve(flag('--out') ?? TRUSTED_DOCUMENTS_PATH);
    const added = registerOperations(path.resolve(dir), out, path.resolve(flag('--supergraph') ?? SUPERGRAPH_PATH));
    console.log(`registered ${added.length} operations in ${path.relative(process.cwd(), out)}`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
