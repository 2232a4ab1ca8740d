import { foundationSuite } from './suites/foundation';
import { operatorsSuite } from './suites/operators';
import { ordersSuite } from './suites/orders';
import { shopsSuite } from './suites/shops';
import { startTestPlatform, type TestPlatform } from './support/stack';

/*
 * The suites that run against the platform as `npm start` runs it (its
 * default settings, 60 seeded shops) share one started platform: starting
 * one is most of a suite's time, and CI stays short as suites are added.
 * They run in this order; shops last, since it ends by rebuilding the query
 * model (which forgets the events it applied: a Redis emptied afterwards, as
 * orders does, would have them applied again). Suites that need other
 * settings (payments, failures, entity batching) start platforms of their own.
 */

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform('platform', 14100);
}, 180_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

describe('foundation', () => foundationSuite(() => platform));
describe('orders', () => ordersSuite(() => platform));
describe('operators', () => operatorsSuite(() => platform));
describe('shops', () => shopsSuite(() => platform));
