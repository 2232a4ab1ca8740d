// Generates each service's Prisma client into src/generated/<service>.
// `prisma generate` never runs the schema engine, but the CLI insists on
// locating one; on machines without the native engine any existing file does.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const services = ['shops', 'ads', 'orders', 'payments', 'reviews'];
const cli = require.resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
};
for (const service of services) {
  execFileSync(process.execPath, [cli, 'generate', '--schema', path.join(__dirname, service, 'schema.prisma')], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
