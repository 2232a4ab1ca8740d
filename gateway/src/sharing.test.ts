import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { operationModel } from './operation';

/*
 * The one privacy decision (sharing.ts), read from the @public declarations
 * in the supergraph. The table lists every root and entity field of Baedal's
 * supergraph with its decision, so a new field fails here until someone
 * decides: a field nobody declared is private.
 */

const SUPERGRAPH = fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8');

const TABLE: Record<string, { public: string[]; private: string[] }> = {
  AdCampaign: {
    public: ['id', 'shop', 'product', 'area', 'startsAt', 'endsAt', 'status'],
    // What a contract cost is its owner's business.
    private: ['price', 'priceVersion'],
  },
  CouponCampaign: {
    public: [
      'id',
      'name',
      'discountType',
      'amount',
      'percent',
      'maxDiscount',
      'stock',
      'remaining',
      'startsAt',
      'endsAt',
    ],
    private: [],
  },
  Mutation: {
    public: [],
    private: [
      'publishAdPriceTable',
      'startAdPlacement',
      'endAdPlacement',
      'placeOrder',
      'acceptOrder',
      'rejectOrder',
      'cancelOrder',
      'markOrderPickedUp',
      'markOrderDelivered',
      'topUpAdWallet',
      'payOrder',
      'claimCoupon',
      'createCouponCampaign',
      'writeReview',
      'editReview',
      'deleteReview',
      'replyToReview',
      'hideReview',
      'login',
      'signUp',
      'closeAccount',
      'registerShop',
      'updateShop',
      'openShop',
      'closeShop',
      'upsertMenuGroup',
      'upsertMenuItem',
      'setMenuItemSoldOut',
      'deleteMenuItem',
    ],
  },
  Order: {
    public: [],
    private: [
      'id',
      'status',
      'shop',
      'customer',
      'lines',
      'itemsTotal',
      'deliveryFee',
      'total',
      'deliveryAddress',
      'deliveryArea',
      'createdAt',
      'estimatedCookingMinutes',
      'history',
      'paymentToken',
      'payment',
    ],
  },
  Payment: {
    public: [],
    private: [
      'id',
      'order',
      'amount',
      'discount',
      'method',
      'status',
      'provider',
      'declineReason',
      'createdAt',
      'history',
    ],
  },
  Query: {
    public: ['couponCampaign', 'home', 'shops', 'searchShops', 'shop'],
    private: [
      'myAdCampaigns',
      'adWallet',
      'adRevenue',
      'order',
      'myOrders',
      'shopOrders',
      'payment',
      'myCoupons',
      'me',
      'myShops',
    ],
  },
  Review: {
    public: ['id', 'rating', 'text', 'photos', 'createdAt', 'editedAt', 'reply', 'shop', 'author'],
    private: [],
  },
  Shop: {
    public: [
      'id',
      'activeAds',
      'adPlacement',
      'rating',
      'reviewCount',
      'reviews',
      'reviewsConnection',
      'name',
      'category',
      'description',
      'owner',
      'deliveryAreas',
      'minimumOrder',
      'deliveryFee',
      'openingHours',
      'isOpen',
      'isOpenNow',
      'menu',
    ],
    private: [],
  },
  User: { public: ['id', 'name', 'role'], private: ['orders', 'email'] },
};

function rootAndEntityFields(model: ReturnType<typeof operationModel>) {
  const found: Record<string, { public: string[]; private: string[] }> = {};
  for (const type of model.supergraph.schema.types()) {
    if (type.kind !== 'ObjectType') continue;
    const entity = type.appliedDirectivesOf('join__type').some((d) => (d.arguments() as { key?: string }).key);
    if (!entity && type.name !== 'Query' && type.name !== 'Mutation') continue;
    const row = (found[type.name] = { public: [] as string[], private: [] as string[] });
    for (const field of type.fields()) {
      if (field.name.startsWith('_')) continue;
      row[model.sharing.publicFields.has(`${type.name}.${field.name}`) ? 'public' : 'private'].push(field.name);
    }
  }
  return found;
}

/** Baedal's subgraphs composed again, with one subgraph's SDL changed. */
function composedWith(subgraph: string, change: (sdl: string) => string): string {
  const root = path.join(__dirname, '..', '..', 'subgraphs');
  const result = composeServices(
    fs.readdirSync(root).map((name) => {
      const sdl = fs.readFileSync(path.join(root, name, 'schema.graphql'), 'utf8');
      return { name, url: `http://127.0.0.1/${name}`, typeDefs: parse(name === subgraph ? change(sdl) : sdl) };
    }),
  );
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

describe('privacy decisions', () => {
  const model = operationModel(SUPERGRAPH, { shortcut: true, limits: null });
  const shared = (query: string) => {
    const decided = model.decide(query);
    return decided && 'shared' in decided ? decided.shared : null;
  };

  it('every root and entity field has the decision the table gives it', () => {
    expect(rootAndEntityFields(model)).toEqual(TABLE);
  });

  it('shares an operation only when every field on every path is public', () => {
    expect(shared('{ shop(id: "1") { name owner { name } reviews(first: 2) { author { name } } } }')).toBe(true);
    expect(shared('{ shop(id: "1") { name owner { email } } }')).toBe(false);
    expect(shared('{ shop(id: "1") { name } me { name } }')).toBe(false);
    expect(shared('{ myCoupons { id } }')).toBe(false);
    expect(shared('query F { shop(id: "1") { ...Owner } } fragment Owner on Shop { owner { email } }')).toBe(false);
    expect(shared('{ __typename shop(id: "1") { __typename id } }')).toBe(true);
    expect(shared('{ __schema { types { name } } }')).toBe(false);
    expect(shared('mutation { login(email: "a", password: "b") { token } }')).toBe(false);
  });

  it('decides a planner fetch the same way, through _entities', () => {
    const fetch = (selection: string) =>
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`;
    expect(model.sharing.fetchIsShared(fetch('... on Shop { __typename reviews(first: 3) { rating } }'))).toBe(true);
    expect(model.sharing.fetchIsShared(fetch('... on Order { __typename payment { status } }'))).toBe(false);
    expect(model.sharing.fetchIsShared(fetch('... on User { orders { id } }'))).toBe(false);
    expect(model.sharing.fetchIsShared('{ myCoupons { id } }')).toBe(false);
    expect(model.sharing.fetchIsShared('not graphql')).toBe(false);
  });

  it('treats a field added without a declaration as private, on its own and behind public ones', () => {
    const sdl = composedWith('shops', (text) =>
      text
        .replace('type Shop @key(fields: "id") {', 'type Shop @key(fields: "id") {\n  secretNote: String')
        .replace('type Query {', 'type Query {\n  newList: [Shop!]!'),
    );
    const changed = operationModel(sdl, { shortcut: true, limits: null });
    const decided = (query: string) => changed.decide(query) as { shared: boolean; route: unknown };
    expect(decided('{ shop(id: "1") { secretNote } }').shared).toBe(false);
    expect(decided('{ newList { name } }').shared).toBe(false);
    expect(decided('{ shop(id: "1") { name } }').shared).toBe(true);
    // The shortcut still takes it, keeping its copy per caller (the decision it is given).
    expect(decided('{ shop(id: "1") { secretNote } }').route).toEqual({ subgraph: 'shops', mutation: false });
    const entities = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Shop { secretNote } } }`;
    expect(changed.sharing.fetchIsShared(entities)).toBe(false);
  });
});
