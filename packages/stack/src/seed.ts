import { hashPassword, isProduction } from '@baedal/platform';
import { migrateAll } from '@baedal/prisma';
import { createAdsClient } from '@baedal/prisma/ads';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { DEMO_PASSWORD, demoData, type SeedOptions } from './demoData';

/*
 * Writes the demo data into every service's database (`npm run seed`, and
 * `npm start` into empty databases): the only writer of several domains'
 * tables, as a fixture loader is; domains write their own tables otherwise.
 */

const CHUNK = 2000;

async function inChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

export async function isSeeded(): Promise<boolean> {
  const shops = createShopsClient();
  try {
    return (await shops.account.count()) > 0;
  } finally {
    await shops.$disconnect();
  }
}

export async function seed(options: SeedOptions, log: (line: string) => void = () => {}): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD, Buffer.from(`baedal-seed-${options.seed}`));
  const { accounts, shops, groups, items, campaigns, orders, lines, history, payments, ledgers, reviews, ratings } =
    demoData(options, passwordHash);
  const shopsDb = createShopsClient();
  const adsDb = createAdsClient();
  const ordersDb = createOrdersClient();
  const paymentsDb = createPaymentsClient();
  const reviewsDb = createReviewsClient();
  try {
    await shopsDb.account.createMany({ data: accounts });
    await inChunks(shops, (chunk) => shopsDb.shop.createMany({ data: chunk }));
    await inChunks(groups, (chunk) => shopsDb.menuGroup.createMany({ data: chunk }));
    await inChunks(items, (chunk) => shopsDb.menuItem.createMany({ data: chunk }));
    log(`shops: ${accounts.length} accounts, ${shops.length} shops, ${items.length} menu items`);

    await inChunks(campaigns, (chunk) => adsDb.adCampaign.createMany({ data: chunk }));
    log(`ads: ${campaigns.length} campaigns`);

    await inChunks(orders, (chunk) => ordersDb.order.createMany({ data: chunk }));
    await inChunks(lines, (chunk) => ordersDb.orderLine.createMany({ data: chunk }));
    await inChunks(history, (chunk) => ordersDb.orderStatusChange.createMany({ data: chunk }));
    log(`orders: ${orders.length} delivered orders`);

    await inChunks(payments, (chunk) => paymentsDb.payment.createMany({ data: chunk }));
    await inChunks(ledgers, (chunk) => paymentsDb.orderLedger.createMany({ data: chunk }));
    log(`payments: ${payments.length} payments, ${ledgers.length} order ledgers`);

    await inChunks(reviews, (chunk) => reviewsDb.review.createMany({ data: chunk }));
    await inChunks(ratings, (chunk) => reviewsDb.shopRating.createMany({ data: chunk }));
    log(`reviews: ${reviews.length} reviews`);
  } finally {
    await Promise.all([shopsDb, adsDb, ordersDb, paymentsDb, reviewsDb].map((client) => client.$disconnect()));
  }
}

/** Empties every table the seed fills, for `--reset`. */
export async function clearAll(): Promise<void> {
  const clients = [
    createShopsClient(),
    createAdsClient(),
    createOrdersClient(),
    createPaymentsClient(),
    createReviewsClient(),
  ];
  try {
    for (const client of clients) {
      const tables = await client.$queryRaw<{ tablename: string }[]>`
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
      if (tables.length)
        await client.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} CASCADE`);
    }
  } finally {
    await Promise.all(clients.map((client) => client.$disconnect()));
  }
}

function parseArgs(argv: string[]): SeedOptions & { reset: boolean; ifEmpty: boolean } {
  const options = { shops: 2000, seed: 42, customers: 200, reset: false, ifEmpty: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--reset') options.reset = true;
    else if (flag === '--if-empty') options.ifEmpty = true;
    else if (flag === '--shops' || flag === '--seed' || flag === '--customers') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a positive whole number`);
      options[flag.slice(2) as 'shops' | 'seed' | 'customers'] = value;
    } else throw new Error(`unknown flag ${flag}; use --shops N, --seed N, --customers N, --reset, --if-empty`);
  }
  return options;
}

if (require.main === module) {
  (async () => {
    const options = parseArgs(process.argv.slice(2));
    if (isProduction())
      throw new Error('Demo data and demo accounts are never seeded in production (BAEDAL_ENV=production)');
    await migrateAll((line) => console.log(line));
    if (options.reset) await clearAll();
    else if (await isSeeded()) {
      console.log(options.ifEmpty ? 'demo data present' : 'already seeded; pass --reset to replace the data');
      return;
    }
    const started = Date.now();
    await seed(options, (line) => console.log(line));
    console.log(
      `seeded ${options.shops} shops (seed ${options.seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  })().then(
    () => process.exit(0),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
