import { randomUUID } from 'node:crypto';
import { isOpenAt, parseOpeningHours } from '@baedal/contracts';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, graphql, type GraphQLResponse } from './graphql';

/* Placing an order through the gateway, for suites about what happens after. */

export type OrderableShop = Awaited<ReturnType<typeof orderableShops>>[number];

/** The shops open now with something on their menu, from a platform's shops database. */
export async function orderableShops(shopsDatabaseUrl: string) {
  const shopsDb = createShopsClient(shopsDatabaseUrl, 1);
  try {
    const shops = await shopsDb.shop.findMany({ include: { menuItems: { where: { soldOut: false } } } });
    return shops.filter(
      (s) => isOpenAt(parseOpeningHours(s.openingHours), !s.isOpen, new Date()) && s.menuItems.length > 0,
    );
  } finally {
    await shopsDb.$disconnect();
  }
}

/** Places an order of `shop`'s first item (enough to reach its minimum) as the customer with `token`; `selection` is what the answer reads of the order. */
export function placeOrder(
  url: string,
  token: string,
  shop: OrderableShop,
  selection = 'id',
): Promise<GraphQLResponse> {
  const item = shop.menuItems[0];
  return graphql(
    url,
    `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { ${selection} } }`,
    {
      input: {
        shopId: shop.id,
        items: [{ menuItemId: item.id, quantity: Math.max(1, Math.ceil(shop.minimumOrder / item.price)) }],
        deliveryAddress: '서울시 강남구 1',
        deliveryArea: shop.deliveryAreas[0],
        idempotencyKey: randomUUID(),
      },
    },
    bearer(token),
  );
}
