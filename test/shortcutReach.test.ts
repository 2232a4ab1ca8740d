import fs from 'node:fs';
import path from 'node:path';
import { gatewayConfig } from '@baedal/gateway/config';
import { operationModel } from '@baedal/gateway/operation';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { CLAIM, PAY, PLACE } from './bench/scenarios/commands';
import { READS } from './bench/scenarios/reads';

/*
 * The shortcut keeps its reach: every README sample and bench operation it
 * answered before it had to prove each answer exact still goes to the same
 * subgraph (null: the query planner). Keyed by operation name, else root field.
 * And the default limits let all of them through.
 */

const EXPECTED: Record<string, string | null> = {
  // README, customer app
  home: 'shops',
  searchShops: 'shops',
  shops: 'shops',
  Shop: null, // reviews join the reviews subgraph
  login: 'shops',
  signUp: 'shops',
  Place: 'orders',
  Pay: 'payments',
  claimCoupon: 'payments',
  myOrders: null, // shop and payment join shops and payments
  writeReview: 'reviews',
  editReview: 'reviews',
  deleteReview: 'reviews',
  // README, owner dashboard
  myShops: 'shops',
  Orders: 'orders',
  acceptOrder: 'orders',
  rejectOrder: 'orders',
  cancelOrder: 'orders',
  registerShop: 'shops',
  upsertMenuGroup: 'shops',
  upsertMenuItem: 'shops',
  closeShop: 'shops',
  setMenuItemSoldOut: 'shops',
  topUpAdWallet: 'payments',
  adWallet: 'ads',
  startAdPlacement: 'ads',
  myAdCampaigns: 'ads', // shop { id } is ads' own reference
  replyToReview: 'reviews',
  // README, live orders: relayed to orders by subscriptions.ts, never the shortcut's
  OwnerDashboard: null,
  OrderTracking: null,
  // bench
  Home: 'shops',
  List: 'shops',
  Detail: 'shops',
  Search: 'shops',
  placeOrder: 'orders',
  payOrder: 'payments',
};

const root = path.resolve(__dirname, '..');
const model = operationModel(fs.readFileSync(path.join(root, 'gateway', 'supergraph.graphql'), 'utf8'), {
  shortcut: true,
  limits: null,
});

function operations(): [string, string][] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const texts = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((m) =>
    parse(m[1]).definitions.map((d) => print(d)),
  );
  return [...texts, ...Object.values(READS), PLACE, PAY, CLAIM].map((text) => {
    const operation = parse(text).definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )!;
    const first = operation.selectionSet.selections[0];
    return [operation.name?.value ?? (first.kind === Kind.FIELD ? first.name.value : '?'), text];
  });
}

describe('the default limits', () => {
  it('let every README and bench operation through', () => {
    const settings = gatewayConfig.read({});
    const limited = operationModel(fs.readFileSync(path.join(root, 'gateway', 'supergraph.graphql'), 'utf8'), {
      shortcut: true,
      limits: {
        tokens: settings.BAEDAL_LIMIT_TOKENS,
        depth: settings.BAEDAL_LIMIT_DEPTH,
        aliases: settings.BAEDAL_LIMIT_ALIASES,
        rootFields: settings.BAEDAL_LIMIT_ROOT_FIELDS,
        cost: settings.BAEDAL_LIMIT_COST,
      },
    });
    const refused = operations().flatMap(([key, text]) => {
      const decided = limited.decide(text);
      const refusal = decided && ('document' in decided ? limited.admit(decided, {}) : decided.refusal);
      return refusal ? [`${key}: ${refusal.message}`] : [];
    });
    expect(refused).toEqual([]);
  });
});

describe("the shortcut's reach", () => {
  it('covers every README and bench operation in the table', () => {
    expect(new Set(operations().map(([key]) => key))).toEqual(new Set(Object.keys(EXPECTED)));
  });

  it.each(operations())('%s goes where it went', (key, text) => {
    const decided = model.decide(text);
    const route = decided && 'route' in decided ? decided.route : undefined;
    expect(route === null ? null : route?.subgraph).toBe(EXPECTED[key]);
  });
});
