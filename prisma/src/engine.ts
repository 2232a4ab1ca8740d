import fs from 'node:fs';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

/*
 * Prisma's WebAssembly schema engine. Node 20 cannot import a .wasm module
 * without a flag, so we instantiate it ourselves and hand it the JS glue.
 */
// typescript-eslint cannot follow this import's resolution mode (tsc does): its type reads as an error there.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm', { with: { 'resolution-mode': 'import' } });
export type SchemaEngine = Awaited<ReturnType<SchemaEngineModule['SchemaEngine']['new']>>;

// @types/node 20 does not declare the WebAssembly global that Node has.
const wasmRuntime = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(bytes: Buffer, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
    };
  }
).WebAssembly;

let modulePromise: Promise<SchemaEngineModule> | undefined;

function loadModule(): Promise<SchemaEngineModule> {
  modulePromise ??= (async () => {
    const entry = require.resolve('@prisma/schema-engine-wasm');
    const gluePath = path.join(path.dirname(entry), 'schema_engine_bg.js');
    const glue = (await import(gluePath)) as SchemaEngineModule & { __wbg_set_wasm(exports: unknown): void };
    const bytes = fs.readFileSync(path.join(path.dirname(entry), 'schema_engine_bg.wasm'));
    const { instance } = await wasmRuntime.instantiate(bytes, { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return glue;
  })();
  return modulePromise;
}

/**
 * The pg adapter runs a migration script split at every ';', which cuts a
 * function body apart. Prisma's native engine sends the script whole (one
 * simple query, one implicit transaction); so do we.
 */
class WholeScriptPg extends PrismaPg {
  constructor(private readonly pool: pg.Pool) {
    super(pool);
  }

  override async connect() {
    const adapter = await super.connect();
    adapter.executeScript = async (script: string) => {
      try {
        await this.pool.query(script);
      } catch (error) {
        (adapter as unknown as { onError(error: unknown): never }).onError(error);
      }
    };
    return adapter;
  }
}

export const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

/** Runs `work` with a schema engine bound to one database through the pg driver adapter. */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  schema: { path: string; content: string },
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const mod = await loadModule();
  // Our own pool, so its connections close when we are done instead of idling the process.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, allowExitOnIdle: true });
  const adapter = bindMigrationAwareSqlAdapterFactory(new WholeScriptPg(pool));
  const engine = await mod.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, adapter);
  try {
    return await work(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}
