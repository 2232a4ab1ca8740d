import { CATEGORIES, DELIVERY_AREAS, parseOpeningHours, type OpeningInterval, type ShopInfo } from '@baedal/contracts';
import { badInput } from '@baedal/platform';

/*
 * What an owner may write. Every rule names the field it guards, so a client
 * can point at it; nothing here touches a database.
 */

export const LIMITS = {
  shopName: 50,
  itemName: 60,
  groupName: 40,
  description: 500,
  /** won */
  price: 1_000_000,
  minimumOrder: 1_000_000,
  deliveryFee: 100_000,
  intervals: 21,
  optionGroups: 10,
  options: 30,
} as const;

export interface ShopTermsInput {
  name?: string | null;
  category?: string | null;
  description?: string | null;
  minimumOrder?: number | null;
  deliveryFee?: number | null;
  deliveryAreas?: string[] | null;
  openingHours?: OpeningInterval[] | null;
}

/** What an owner sets: the shop's terms as events carry them, less what the platform decides. */
export type ShopTerms = Omit<ShopInfo, 'shopId' | 'ownerId' | 'isOpen'>;

export function requireName(field: string, value: string, max: number): string {
  const name = value.trim();
  if (name.length === 0) throw badInput(field, `${field} must not be empty`);
  if (name.length > max) throw badInput(field, `${field} must be at most ${max} characters`);
  return name;
}

export function requireDescription(field: string, value: string | null | undefined): string {
  const text = (value ?? '').trim();
  if (text.length > LIMITS.description)
    throw badInput(field, `${field} must be at most ${LIMITS.description} characters`);
  return text;
}

export function requireWon(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw badInput(field, `${field} must be a whole number of won from 0 to ${max.toLocaleString('en-US')}`);
  }
  return value;
}

export function requireOpeningHours(field: string, hours: OpeningInterval[]): OpeningInterval[] {
  if (hours.length > LIMITS.intervals) throw badInput(field, `${field} holds at most ${LIMITS.intervals} intervals`);
  let parsed: OpeningInterval[];
  try {
    parsed = parseOpeningHours(hours);
  } catch {
    throw badInput(field, `${field} needs day 0-6 and times as HH:MM (00:00-23:59)`);
  }
  for (const interval of parsed) {
    if (interval.opens === interval.closes && interval.opens !== '00:00') {
      throw badInput(
        field,
        `${field}: an interval cannot open and close at the same time (use 00:00-00:00 for all day)`,
      );
    }
  }
  return parsed;
}

function requireAreas(field: string, areas: string[]): string[] {
  const unique = [...new Set(areas)];
  if (unique.length === 0) throw badInput(field, `${field} needs at least one area`);
  for (const area of unique) {
    if (!(DELIVERY_AREAS as readonly string[]).includes(area)) throw badInput(field, `${area} is not a delivery area`);
  }
  return unique;
}

/** A complete, valid set of shop terms from a registration. */
export function validateNewShop(
  input: Required<{ [K in keyof ShopTermsInput]: NonNullable<ShopTermsInput[K]> }> | ShopTermsInput,
): ShopTerms {
  const missing = (['name', 'category', 'minimumOrder', 'deliveryFee', 'deliveryAreas', 'openingHours'] as const).find(
    (key) => input[key] === undefined || input[key] === null,
  );
  if (missing) throw badInput(missing, `${missing} is required`);
  return applyShopChanges(
    {
      name: '',
      category: CATEGORIES[0],
      description: '',
      minimumOrder: 0,
      deliveryFee: 0,
      deliveryAreas: [],
      openingHours: [],
    },
    input,
  );
}

/** The shop's terms after a partial update; fields left out stay as they are. */
export function applyShopChanges(current: ShopTerms, input: ShopTermsInput): ShopTerms {
  const next = { ...current };
  if (input.name != null) next.name = requireName('name', input.name, LIMITS.shopName);
  if (input.category != null) {
    if (!(CATEGORIES as readonly string[]).includes(input.category))
      throw badInput('category', `${input.category} is not a category`);
    next.category = input.category;
  }
  if (input.description != null) next.description = requireDescription('description', input.description);
  if (input.minimumOrder != null)
    next.minimumOrder = requireWon('minimumOrder', input.minimumOrder, LIMITS.minimumOrder);
  if (input.deliveryFee != null) next.deliveryFee = requireWon('deliveryFee', input.deliveryFee, LIMITS.deliveryFee);
  if (input.deliveryAreas != null) next.deliveryAreas = requireAreas('deliveryAreas', input.deliveryAreas);
  if (input.openingHours != null) next.openingHours = requireOpeningHours('openingHours', input.openingHours);
  return next;
}
