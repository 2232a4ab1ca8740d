import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { SERVICES, port } from '@baedal/platform';
import { parse } from 'graphql';

/*
 * Composes the five subgraph SDLs into the supergraph the gateway loads at
 * start. The file is checked in; a test fails when it is stale.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SUPERGRAPH_PATH = path.resolve(__dirname, '..', 'supergraph.graphql');

export function subgraphSchemaPath(name: string): string {
  return path.join(REPO_ROOT, 'subgraphs', name, 'schema.graphql');
}

/** The supergraph SDL, or the composition errors. URLs are the defaults; the gateway overrides them from its settings. */
export function composeSupergraph(): { supergraphSdl: string } | { errors: string[] } {
  const result = composeServices(
    SERVICES.map((name) => ({
      name,
      url: `http://127.0.0.1:${port(name)}/graphql`,
      typeDefs: parse(fs.readFileSync(subgraphSchemaPath(name), 'utf8')),
    })),
  );
  if (result.errors) return { errors: result.errors.map((e) => e.message) };
  return { supergraphSdl: result.supergraphSdl };
}

if (require.main === module) {
  const result = composeSupergraph();
  if ('errors' in result) {
    console.error(`composition failed:\n- ${result.errors.join('\n- ')}`);
    process.exit(1);
  }
  fs.writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
  console.log(`wrote ${path.relative(process.cwd(), SUPERGRAPH_PATH)}`);
}
