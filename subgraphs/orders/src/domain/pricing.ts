import { isOpenAt, parseOpeningHours } from '@baedal/contracts';
import { badInput, DomainError } from '@baedal/platform';

export interface ShopTerms {
  shopId: string;
  name: string;
  minimumOrder: number;
  deliveryFee: number;
  deliveryAreas: string[];
  openingHours: unknown;
  isOpen: boolean;
}

export interface MenuItemTerms {
  menuItemId: string;
  shopId: string;
  name: string;
  price: number;
  soldOut: boolean;
  /** [{ id, name, minSelect, maxSelect, options: [{ id, name, price }] }] */
  optionGroups?: unknown;
}

interface OptionGroup {
  id: string;
  name: string;
  minSelect: number;
  maxSelect: number;
  options: { id: string; name: string; price: number }[];
}

export interface ChosenOption {
  group: string;
  name: string;
  price: number;
}

export interface OrderRequest {
  items: { menuItemId: string; quantity: number; options?: string[] | null }[];
  deliveryAddress: string;
  deliveryArea: string;
  idempotencyKey: string;
}

export interface PricedLine {
  menuItemId: string;
  name: string;
  options: ChosenOption[];
  /** The item's price plus its chosen options, in won. */
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

export interface PricedOrder {
  lines: PricedLine[];
  itemsTotal: number;
  deliveryFee: number;
  total: number;
  deliveryAddress: string;
}

export const MAX_QUANTITY = 99;
export const MAX_LINES = 50;
export const MAX_ADDRESS_LENGTH = 200;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 100;

/**
 * Prices an order from the shop's terms and menu as the orders service knows
 * them, refusing anything the shop would not accept. Pure: no I/O, no clock
 * but the one passed in.
 */
export function priceOrder(
  shop: ShopTerms,
  menu: readonly MenuItemTerms[],
  request: OrderRequest,
  now: Date,
): PricedOrder {
  const key = request.idempotencyKey.trim();
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badInput('idempotencyKey', `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  const deliveryAddress = request.deliveryAddress.trim();
  if (deliveryAddress.length === 0 || deliveryAddress.length > MAX_ADDRESS_LENGTH) {
    throw badInput('deliveryAddress', `deliveryAddress must be 1 to ${MAX_ADDRESS_LENGTH} characters`);
  }
  if (request.items.length === 0) throw badInput('items', 'An order needs at least one item');
  if (request.items.length > MAX_LINES) throw badInput('items', `An order holds at most ${MAX_LINES} different items`);

  // The same item with the same options is one line.
  const wanted = new Map<string, { menuItemId: string; options: string[]; quantity: number }>();
  for (const item of request.items) {
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      throw badInput('items.quantity', `Quantity must be between 1 and ${MAX_QUANTITY}`);
    }
    const options = [...new Set(item.options ?? [])].sort();
    const key = `${item.menuItemId}|${options.join(',')}`;
    const line = wanted.get(key) ?? { menuItemId: item.menuItemId, options, quantity: 0 };
    line.quantity += item.quantity;
    wanted.set(key, line);
  }

  const byId = new Map(menu.map((item) => [item.menuItemId, item]));
  const lines: PricedLine[] = [];
  for (const { menuItemId, options: optionIds, quantity } of wanted.values()) {
    const item = byId.get(menuItemId);
    if (!item || item.shopId !== shop.shopId) {
      throw badInput('items.menuItemId', `Menu item ${menuItemId} is not on ${shop.name}'s menu`);
    }
    if (item.soldOut)
      throw new DomainError('BAD_USER_INPUT', `${item.name} is sold out`, { field: 'items.menuItemId', menuItemId });
    if (quantity > MAX_QUANTITY) throw badInput('items.quantity', `Quantity must be between 1 and ${MAX_QUANTITY}`);
    const options = chooseOptions(item, optionIds);
    const unitPrice = item.price + options.reduce((sum, o) => sum + o.price, 0);
    lines.push({ menuItemId, name: item.name, options, unitPrice, quantity, lineTotal: unitPrice * quantity });
  }

  if (!shop.deliveryAreas.includes(request.deliveryArea)) {
    throw badInput('deliveryArea', `${shop.name} does not deliver to ${request.deliveryArea}`);
  }
  if (!isOpenAt(parseOpeningHours(shop.openingHours), !shop.isOpen, now)) {
    throw new DomainError('BAD_USER_INPUT', `${shop.name} is closed now`, { field: 'shopId', reason: 'SHOP_CLOSED' });
  }
  const itemsTotal = lines.reduce((sum, line) => sum + line.lineTotal, 0);
  if (itemsTotal < shop.minimumOrder) {
    throw new DomainError(
      'BAD_USER_INPUT',
      `${shop.name} takes orders from ${shop.minimumOrder} won; this one is ${itemsTotal} won`,
      {
        field: 'items',
        reason: 'BELOW_MINIMUM_ORDER',
      },
    );
  }
  return { lines, itemsTotal, deliveryFee: shop.deliveryFee, total: itemsTotal + shop.deliveryFee, deliveryAddress };
}

/** The chosen options of an item, checked against its option groups' limits. */
function chooseOptions(item: MenuItemTerms, optionIds: string[]): ChosenOption[] {
  const groups = (item.optionGroups ?? []) as OptionGroup[];
  const chosen: ChosenOption[] = [];
  const known = new Set<string>();
  for (const group of groups) {
    const picked = group.options.filter((o) => optionIds.includes(o.id));
    for (const o of group.options) known.add(o.id);
    if (picked.length < group.minSelect || picked.length > group.maxSelect) {
      const range =
        group.minSelect === group.maxSelect ? `${group.minSelect}` : `${group.minSelect} to ${group.maxSelect}`;
      throw new DomainError('BAD_USER_INPUT', `${item.name}: choose ${range} of "${group.name}"`, {
        field: 'items.options',
        menuItemId: item.menuItemId,
      });
    }
    chosen.push(...picked.map((o) => ({ group: group.name, name: o.name, price: o.price })));
  }
  const unknown = optionIds.find((id) => !known.has(id));
  if (unknown)
    throw new DomainError('BAD_USER_INPUT', `${item.name} has no option ${unknown}`, {
      field: 'items.options',
      menuItemId: item.menuItemId,
    });
  return chosen;
}

/**
 * Why an approved payment cannot pay for the order, or null when it can: it
 * must be the order's customer's, and its amount plus its discount must be
 * exactly the order's total (a payment is made from a signed charge; this
 * is orders' own check that what was charged is what the order costs).
 */
export function paymentMismatch(
  order: { customerId: string; total: number },
  payment: { customerId: string; amount: number; discount: number },
): string | null {
  if (payment.customerId !== order.customerId) return "the payment was made for another customer than the order's";
  const paid = payment.amount + payment.discount;
  if (paid !== order.total)
    return `the payment covers ${paid} won (${payment.amount} charged, ${payment.discount} discount), the order costs ${order.total} won`;
  return null;
}
