import { isProduction } from '@baedal/platform';
import { stackConfig } from './config';
import { Stack } from './index';

const SAMPLES = `
Sample queries (paste into the page above, or POST them with curl):

  # Customer app: shops delivering to Gangnam, with ratings and ads from other subgraphs
  { shops(area: GANGNAM, first: 5) { edges { node { id name category deliveryFee isOpenNow rating reviewCount adPlacement(area: GANGNAM) { product } } } } }

  # Sign in as a demo account (password baedal1234): customer1@baedal.dev, owner1@baedal.dev, admin@baedal.dev
  mutation { login(email: "owner1@baedal.dev", password: "baedal1234") { token user { id name role } } }

  # Owner dashboard (send "Authorization: Bearer <token>"): my shops and their orders
  { myShops { id name } }
  { shopOrders(shopId: "<shop id>", status: PLACED) { id status total createdAt lines { name quantity } } }
`;

async function main(): Promise<void> {
  if (!isProduction())
    console.log(
      '[start] development mode: demo data and accounts, development secrets, playground and introspection on.' +
        ' Production (BAEDAL_ENV=production) refuses all of them: see "Running in production" in the README.',
    );
  const stack = new Stack({
    output: 'inherit',
    log: (line) => console.log(`[start] ${line}`),
    seedShops: stackConfig().BAEDAL_SEED_SHOPS,
    // A process that dies is started again (the stack logs it), so an outage of one needs no person.
    restartDead: { firstDelayMs: 500, maxDelayMs: 30_000 },
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[start] stopping every process...');
    await stack.stopAll();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  try {
    await stack.up();
  } catch (error) {
    // One line saying what is wrong and what to do, not a stack trace.
    console.error(`[start] ${(error as Error).message}`);
    await stack.stopAll();
    process.exit(1);
  }
  console.log(`\n[start] Baedal is up: ${stack.gatewayUrl}  (open it in a browser for the playground)`);
  console.log(
    `[start] Queue dashboard: http://127.0.0.1:${stack.port('workers')}/queues (sign in as ${isProduction() ? 'an admin' : 'admin@baedal.dev'});` +
      ` metrics at /metrics on every process (the gateway's on its internal port); see "Operating Baedal" in the README`,
  );
  console.log(SAMPLES);
}

void main();
