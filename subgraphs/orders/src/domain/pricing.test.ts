import { paymentMismatch, priceOrder, type MenuItemTerms, type OrderRequest, type ShopTerms } from './pricing';

const shop: ShopTerms = {
  shopId: 's1',
  name: '바삭치킨 강남점',
  minimumOrder: 15000,
  deliveryFee: 3000,
  deliveryAreas: ['GANGNAM', 'SEOCHO'],
  openingHours: Array.from({ length: 7 }, (_, day) => ({ day, opens: '10:00', closes: '22:00' })),
  isOpen: true,
};
const menu: MenuItemTerms[] = [
  { menuItemId: 'm1', shopId: 's1', name: '후라이드치킨', price: 18000, soldOut: false },
  { menuItemId: 'm2', shopId: 's1', name: '콜라', price: 2000, soldOut: false },
  { menuItemId: 'm3', shopId: 's1', name: '양념치킨', price: 19000, soldOut: true },
  { menuItemId: 'x1', shopId: 'other', name: '피자', price: 20000, soldOut: false },
  {
    menuItemId: 'm4',
    shopId: 's1',
    name: '순살치킨',
    price: 19000,
    soldOut: false,
    optionGroups: [
      {
        id: 'g-sauce',
        name: '소스',
        minSelect: 1,
        maxSelect: 1,
        options: [
          { id: 'o-plain', name: '후라이드', price: 0 },
          { id: 'o-yangnyeom', name: '양념', price: 1000 },
        ],
      },
      {
        id: 'g-extra',
        name: '추가',
        minSelect: 0,
        maxSelect: 2,
        options: [
          { id: 'o-cheese', name: '치즈볼', price: 3000 },
          { id: 'o-coke', name: '콜라', price: 2000 },
          { id: 'o-radish', name: '무', price: 500 },
        ],
      },
    ],
  },
];
const noon = new Date('2026-11-27T12:00:00+09:00');
const request = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
  items: [
    { menuItemId: 'm1', quantity: 1 },
    { menuItemId: 'm2', quantity: 2 },
  ],
  deliveryAddress: '서울시 강남구 테헤란로 1',
  deliveryArea: 'GANGNAM',
  idempotencyKey: 'k1',
  ...overrides,
});
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    const ext = (error as { extensions: { code: string; field?: string } }).extensions;
    return `${ext.code}:${ext.field}`;
  }
  return 'no error';
};

describe('priceOrder', () => {
  it('prices lines from the menu, merging repeated items, and adds the delivery fee', () => {
    const priced = priceOrder(
      shop,
      menu,
      request({
        items: [
          { menuItemId: 'm1', quantity: 1 },
          { menuItemId: 'm2', quantity: 1 },
          { menuItemId: 'm2', quantity: 1 },
        ],
      }),
      noon,
    );
    expect(priced.lines).toEqual([
      { menuItemId: 'm1', name: '후라이드치킨', options: [], unitPrice: 18000, quantity: 1, lineTotal: 18000 },
      { menuItemId: 'm2', name: '콜라', options: [], unitPrice: 2000, quantity: 2, lineTotal: 4000 },
    ]);
    expect(priced).toMatchObject({ itemsTotal: 22000, deliveryFee: 3000, total: 25000 });
  });

  it.each([
    ['an empty order', request({ items: [] }), 'BAD_USER_INPUT:items'],
    ['a zero quantity', request({ items: [{ menuItemId: 'm1', quantity: 0 }] }), 'BAD_USER_INPUT:items.quantity'],
    ['a huge quantity', request({ items: [{ menuItemId: 'm1', quantity: 100 }] }), 'BAD_USER_INPUT:items.quantity'],
    [
      'an item of another shop',
      request({ items: [{ menuItemId: 'x1', quantity: 1 }] }),
      'BAD_USER_INPUT:items.menuItemId',
    ],
    ['an unknown item', request({ items: [{ menuItemId: 'nope', quantity: 1 }] }), 'BAD_USER_INPUT:items.menuItemId'],
    ['a sold-out item', request({ items: [{ menuItemId: 'm3', quantity: 1 }] }), 'BAD_USER_INPUT:items.menuItemId'],
    ['an area the shop does not serve', request({ deliveryArea: 'MAPO' }), 'BAD_USER_INPUT:deliveryArea'],
    ['less than the minimum order', request({ items: [{ menuItemId: 'm2', quantity: 1 }] }), 'BAD_USER_INPUT:items'],
    ['a blank address', request({ deliveryAddress: '  ' }), 'BAD_USER_INPUT:deliveryAddress'],
    ['a blank idempotency key', request({ idempotencyKey: '' }), 'BAD_USER_INPUT:idempotencyKey'],
  ])('refuses %s', (_name, bad, expected) => {
    expect(fieldOf(() => priceOrder(shop, menu, bad, noon))).toBe(expected);
  });

  it('prices chosen options into the unit price and keeps different choices on separate lines', () => {
    const priced = priceOrder(
      shop,
      menu,
      request({
        items: [
          { menuItemId: 'm4', quantity: 1, options: ['o-yangnyeom', 'o-cheese'] },
          { menuItemId: 'm4', quantity: 1, options: ['o-cheese', 'o-yangnyeom'] },
          { menuItemId: 'm4', quantity: 1, options: ['o-plain'] },
        ],
      }),
      noon,
    );
    expect(priced.lines.map((l) => [l.unitPrice, l.quantity, l.options.map((o) => o.name)])).toEqual([
      [23000, 2, ['양념', '치즈볼']],
      [19000, 1, ['후라이드']],
    ]);
    expect(priced.itemsTotal).toBe(65000);
  });

  it.each([
    ['a required choice left out', []],
    ['two choices where one is allowed', ['o-plain', 'o-yangnyeom']],
    ['too many extras', ['o-plain', 'o-cheese', 'o-coke', 'o-radish']],
    ['an option of another item', ['o-plain', 'nope']],
  ])('refuses %s', (_name, options) => {
    expect(
      fieldOf(() => priceOrder(shop, menu, request({ items: [{ menuItemId: 'm4', quantity: 1, options }] }), noon)),
    ).toBe('BAD_USER_INPUT:items.options');
  });

  it('refuses a closed or paused shop', () => {
    expect(fieldOf(() => priceOrder(shop, menu, request(), new Date('2026-11-27T23:00:00+09:00')))).toBe(
      'BAD_USER_INPUT:shopId',
    );
    expect(fieldOf(() => priceOrder({ ...shop, isOpen: false }, menu, request(), noon))).toBe('BAD_USER_INPUT:shopId');
  });
});

describe('paymentMismatch', () => {
  const order = { customerId: 'c1', total: 23000 };
  it('accepts a payment whose amount and discount make the total, for the order’s customer', () => {
    expect(paymentMismatch(order, { customerId: 'c1', amount: 23000, discount: 0 })).toBeNull();
    expect(paymentMismatch(order, { customerId: 'c1', amount: 20000, discount: 3000 })).toBeNull();
  });
  it('refuses one won short or over, and a payment for another customer', () => {
    expect(paymentMismatch(order, { customerId: 'c1', amount: 22999, discount: 0 })).toMatch(/covers 22999 won/);
    expect(paymentMismatch(order, { customerId: 'c1', amount: 20000, discount: 3001 })).toMatch(/costs 23000 won/);
    expect(paymentMismatch(order, { customerId: 'c1', amount: 0, discount: 0 })).not.toBeNull();
    expect(paymentMismatch(order, { customerId: 'c2', amount: 23000, discount: 0 })).toMatch(/another customer/);
  });
});
