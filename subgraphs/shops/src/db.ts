import { groupLoader, rowLoader } from '@baedal/platform';
import { createShopsClient } from '@baedal/prisma/shops';

export const db = createShopsClient();

/** Per-request loaders: each turns a batch of ids into one query. */
export function createLoaders() {
  return {
    shop: rowLoader((ids) => db.shop.findMany({ where: { id: { in: [...ids] } } }), (shop) => shop.id),
    account: rowLoader((ids) => db.account.findMany({ where: { id: { in: [...ids] } } }), (account) => account.id),
    menuGroups: groupLoader(
      (shopIds) => db.menuGroup.findMany({ where: { shopId: { in: [...shopIds] } }, orderBy: { position: 'asc' } }),
      (group) => group.shopId,
    ),
    menuItems: groupLoader(
      (groupIds) => db.menuItem.findMany({ where: { groupId: { in: [...groupIds] } }, orderBy: { position: 'asc' } }),
      (item) => item.groupId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
