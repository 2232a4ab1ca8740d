import type { Handlers, MenuSnapshot, ShopInfo } from '@baedal/events';
import type { Prisma } from '@baedal/prisma/orders';

/*
 * Orders consumes shop and menu events into its own replica, so that placing
 * an order never calls the shops service. Older versions never overwrite newer.
 */

type Tx = Prisma.TransactionClient;

/** A placeholder for a shop whose menu arrived before its terms: closed, so it takes no orders yet. */
function ensureShop(tx: Tx, shopId: string) {
  // ON CONFLICT, not Prisma's upsert, so two events of one shop applied at once cannot both insert.
  return tx.$executeRaw`
    INSERT INTO "ShopReplica" ("shopId", "ownerId", "name", "minimumOrder", "deliveryFee", "deliveryAreas", "openingHours", "isOpen", "version", "updatedAt")
    VALUES (${shopId}, '', '', 0, 0, '{}', '[]', false, 0, now()) ON CONFLICT DO NOTHING`;
}

async function applyShop(tx: Tx, info: ShopInfo, version: number): Promise<void> {
  await ensureShop(tx, info.shopId);
  await tx.shopReplica.updateMany({
    where: { shopId: info.shopId, version: { lt: version } },
    data: {
      ownerId: info.ownerId,
      name: info.name,
      minimumOrder: info.minimumOrder,
      deliveryFee: info.deliveryFee,
      deliveryAreas: info.deliveryAreas,
      openingHours: info.openingHours as unknown as Prisma.InputJsonValue,
      isOpen: info.isOpen,
      version,
    },
  });
}

async function applyMenu(tx: Tx, menu: MenuSnapshot, version: number): Promise<void> {
  await ensureShop(tx, menu.shopId);
  const { count } = await tx.shopReplica.updateMany({ where: { shopId: menu.shopId, menuVersion: { lt: version } }, data: { menuVersion: version } });
  if (count === 0) return;
  await tx.menuItemReplica.deleteMany({ where: { shopId: menu.shopId } });
  await tx.menuItemReplica.createMany({
    data: menu.groups.flatMap((group) =>
      group.items.map((item) => ({
        menuItemId: item.id,
        shopId: menu.shopId,
        name: item.name,
        price: item.price,
        soldOut: item.soldOut,
        optionGroups: item.optionGroups as unknown as Prisma.InputJsonValue,
        version,
      })),
    ),
  });
}

/** Consumer "orders". */
export const replica: Handlers<Tx> = {
  'shop.registered': (e, tx) => applyShop(tx, e.payload, e.version),
  'shop.updated': (e, tx) => applyShop(tx, e.payload, e.version),
  'shop.opened': (e, tx) => applyShop(tx, e.payload, e.version),
  'shop.closed': (e, tx) => applyShop(tx, e.payload, e.version),
  'menu.updated': (e, tx) => applyMenu(tx, e.payload, e.version),
};
