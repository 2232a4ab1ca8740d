import type { OpeningInterval } from './openingHours';

/*
 * What shops publishes: a shop's terms and its whole menu, each a snapshot,
 * so that consumers (the query model, orders' replica, ads) need no other source.
 */

/** A shop's terms as customers and ordering see them: the whole state. */
export interface ShopInfo {
  shopId: string;
  ownerId: string;
  name: string;
  category: string;
  description: string;
  /** won */
  minimumOrder: number;
  /** won */
  deliveryFee: number;
  deliveryAreas: string[];
  openingHours: OpeningInterval[];
  /** False while the owner has paused the shop. */
  isOpen: boolean;
}

export interface MenuOptionDoc {
  id: string;
  name: string;
  /** won */
  price: number;
}

export interface MenuOptionGroupDoc {
  id: string;
  name: string;
  minSelect: number;
  maxSelect: number;
  options: MenuOptionDoc[];
}

export interface MenuItemDoc {
  id: string;
  name: string;
  description: string;
  /** won */
  price: number;
  soldOut: boolean;
  optionGroups: MenuOptionGroupDoc[];
}

export interface MenuGroupDoc {
  id: string;
  name: string;
  items: MenuItemDoc[];
}

/** The shop's whole menu, in display order. */
export interface MenuSnapshot {
  shopId: string;
  groups: MenuGroupDoc[];
}
