import pg from 'pg';
import { postgresServerUrl } from '@baedal/platform';

/** The maintenance database on the same server, for CREATE/DROP DATABASE. */
function maintenanceUrl(serverUrl = postgresServerUrl()): string {
  return `${serverUrl.replace(/\/+$/, '')}/postgres`;
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  return `"${name}"`;
}

async function withMaintenance<T>(fn: (client: pg.Client) => Promise<T>, serverUrl?: string): Promise<T> {
  const client = new pg.Client({ connectionString: maintenanceUrl(serverUrl), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists; safe to call concurrently. */
export async function ensureDatabase(name: string): Promise<boolean> {
  return withMaintenance(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      // UTF-8 with a Unicode-aware ctype, so pg_trgm indexes Hangul.
      await client.query(
        `CREATE DATABASE ${quoteIdent(name)} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`,
      );
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === '42P04') return false; // created meanwhile
      throw error;
    }
  });
}

export async function dropDatabase(name: string): Promise<void> {
  await withMaintenance((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/** Throws an error whose message says what to start when Postgres is not reachable. */
export async function assertPostgresReachable(serverUrl = postgresServerUrl()): Promise<void> {
  try {
    await withMaintenance((client) => client.query('SELECT 1'), serverUrl);
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${serverUrl} (${(error as Error).message}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
      { cause: error },
    );
  }
}
