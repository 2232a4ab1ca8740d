import {
  event,
  type AccountOpened,
  parseOpeningHours,
  type EventPayloads,
  type Handlers,
  type MenuGroupDoc,
  type MenuOptionGroupDoc,
  type MenuSnapshot,
  type NewEvent,
  type ShopInfo,
} from '@baedal/contracts';
import { appendToOutbox, type RunInTransaction } from '@baedal/events';
import type { Sessions } from '@baedal/platform';
import type { RawDb } from '@baedal/prisma/clients';
import type { Prisma, PrismaClient, Shop } from '@baedal/prisma/shops';
import { applyAdPlacements, applyMenu, applyReviewStats, applyShopInfo, countOrders } from './projection';

/*
 * What shops publishes (shop.*, menu.updated: whole-state snapshots) and what
 * its query-model projection consumes (its own events, ad placements, review
 * stats). The projection runs in workers/.
 */

type Tx = Prisma.TransactionClient;

export function shopInfo(shop: Shop): ShopInfo {
  return {
    shopId: shop.id,
    ownerId: shop.ownerId,
    name: shop.name,
    category: shop.category,
    description: shop.description,
    minimumOrder: shop.minimumOrder,
    deliveryFee: shop.deliveryFee,
    deliveryAreas: shop.deliveryAreas,
    openingHours: parseOpeningHours(shop.openingHours),
    isOpen: shop.isOpen,
  };
}

/** The shop's whole menu as the command tables hold it now (inside the caller's transaction). */
export async function menuSnapshot(tx: Tx, shopId: string): Promise<MenuSnapshot> {
  const groups = await tx.menuGroup.findMany({
    where: { shopId },
    orderBy: [{ position: 'asc' }, { id: 'asc' }],
    include: { items: { orderBy: [{ position: 'asc' }, { id: 'asc' }] } },
  });
  const docs: MenuGroupDoc[] = groups.map((group) => ({
    id: group.id,
    name: group.name,
    items: group.items.map((item) => ({
      id: item.id,
      name: item.name,
      description: item.description,
      price: item.price,
      soldOut: item.soldOut,
      optionGroups: item.optionGroups as unknown as MenuOptionGroupDoc[],
    })),
  }));
  return { shopId, groups: docs };
}

export type ShopEventType = 'shop.registered' | 'shop.updated' | 'shop.opened' | 'shop.closed';

/** Records a change of the shop's terms in the outbox, in the command's transaction. */
export function publishShopChange(tx: Tx, type: ShopEventType, shop: Shop) {
  return appendToOutbox(tx, [event(type, shop.id, shop.version, shopInfo(shop))]);
}

export async function publishMenuChange(tx: Tx, shop: Shop) {
  return appendToOutbox(tx, [event('menu.updated', shop.id, shop.version, await menuSnapshot(tx, shop.id))]);
}

/**
 * Publishes snapshot events for every row a page reads, a page at a time in
 * id order, each page's events in one transaction; returns how many rows.
 */
async function publishInPages<Row extends { id: string }>(
  db: PrismaClient,
  page: (after: { cursor: { id: string }; skip: 1 } | object) => Promise<Row[]>,
  snapshots: (tx: Tx, rows: Row[]) => Promise<NewEvent[]>,
): Promise<number> {
  let cursor: string | undefined;
  let total = 0;
  for (;;) {
    const rows = await page(cursor ? { cursor: { id: cursor }, skip: 1 } : {});
    if (rows.length === 0) return total;
    await db.$transaction(async (tx) => appendToOutbox(tx, await snapshots(tx, rows)));
    total += rows.length;
    cursor = rows[rows.length - 1].id;
  }
}

/**
 * Publishes every shop's current terms and menu, at its current version:
 * rebuilding a projection from scratch replays these. Returns how many shops.
 */
export function publishSnapshots(db: PrismaClient, batchSize = 200): Promise<number> {
  return publishInPages(
    db,
    (after) => db.shop.findMany({ orderBy: { id: 'asc' }, take: batchSize, ...after }),
    async (tx, shops) => {
      const events: NewEvent[] = [];
      for (const shop of shops) {
        events.push(event('shop.updated', shop.id, shop.version, shopInfo(shop)));
        events.push(event('menu.updated', shop.id, shop.version, await menuSnapshot(tx, shop.id)));
      }
      return events;
    },
  );
}

/** An account's opening, as the directory of sessions learns it (version 1: closing is 2). */
export const accountOpened = (account: { id: string; role: AccountOpened['role'] }) =>
  event('account.opened', account.id, 1, { accountId: account.id, role: account.role });

export const accountClosed = (accountId: string) => event('account.closed', accountId, 2, { accountId });

/** Every account's state again, for rebuilding the directory: opened, and closed where it was. */
export function publishAccountSnapshots(db: PrismaClient, batchSize = 500): Promise<number> {
  return publishInPages(
    db,
    (after) => db.account.findMany({ orderBy: { id: 'asc' }, take: batchSize, ...after }),
    (_tx, accounts) =>
      Promise.resolve(
        accounts.flatMap((a) => (a.closedAt ? [accountOpened(a), accountClosed(a.id)] : [accountOpened(a)])),
      ),
  );
}

/** The directory sessions are refreshed from, in Redis: consumer "accounts". */
export function accountDirectory(sessions: Sessions): Handlers<Tx> {
  return {
    'account.opened': (e) => sessions.record(e.payload.accountId, { role: e.payload.role, version: e.version }),
    'account.closed': (e) => sessions.record(e.payload.accountId, { role: '', version: e.version, closed: true }),
  };
}

/** The customer query model's projection: consumer "shops". */
export const projection: Handlers<Tx> = {
  'shop.registered': async (e, tx) => void (await applyShopInfo(tx, e.payload, e.version)),
  'shop.updated': async (e, tx) => void (await applyShopInfo(tx, e.payload, e.version)),
  'shop.opened': async (e, tx) => void (await applyShopInfo(tx, e.payload, e.version)),
  'shop.closed': async (e, tx) => void (await applyShopInfo(tx, e.payload, e.version)),
  'menu.updated': async (e, tx) => void (await applyMenu(tx, e.payload, e.version)),
  'ad.placement.changed': async (e, tx) =>
    void (await applyAdPlacements(tx, e.payload.shopId, e.payload.placements, e.version)),
  'review.stats.changed': async (e, tx) => void (await applyReviewStats(tx, e.payload, e.version)),
  // Nothing to project (the reviews subgraph answers Shop.reviews), but the shop pages the gateways keep show
  // reviews: this consumer's every completed job tells them the documents changed (workers' announcer).
  'review.changed': () => Promise.resolve(),
  // Popularity: every placed order counts once (applyOnce guards against redelivery).
  'order.placed': {
    many: (events, tx) =>
      countOrders(
        tx,
        events.map((e) => e.payload.shopId),
      ),
  },
};

/**
 * The projection's transaction for a batch of events. Placed orders only add
 * to popularity counters, with one raw statement (countOrders), so a batch of
 * nothing else runs in a driver transaction, a fraction of the cost of
 * Prisma's interactive one: while orders flow, that is almost every batch.
 * Every other event needs Prisma's.
 */
export function projectionTransaction(db: PrismaClient, sql: RawDb): RunInTransaction<EventPayloads, Tx> {
  return (work, events) =>
    events.every((e) => e.type === 'order.placed')
      ? // The order.placed handler uses only raw statements, which a driver transaction has.
        sql.$transaction((tx) => work(tx as Tx))
      : db.$transaction(work);
}
