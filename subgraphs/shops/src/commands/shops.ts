import { randomUUID } from 'node:crypto';
import { notFound, type Identity } from '@baedal/platform';
import type { Prisma, Shop } from '@baedal/prisma/shops';
import { db } from '../db';
import { requireOwnShop, requireShopOwner } from '../domain/access';
import { validateGroupName, validateMenuItem, type MenuItemInput } from '../domain/menuRules';
import { applyShopChanges, validateNewShop, type ShopTerms, type ShopTermsInput } from '../domain/shopRules';
import { publishMenuChange, publishShopChange } from '../events';

/*
 * The owner dashboard's commands. Each validates first, then writes its change
 * and its event in one transaction, bumping the shop's version.
 */

type Tx = Prisma.TransactionClient;

export type ShopInput = ShopTermsInput;
export type MenuItemCommand = MenuItemInput & { id?: string | null; groupId: string; position?: number | null };

/** Locks the shop row for the rest of the transaction and checks the caller owns it. */
async function ownShop(tx: Tx, identity: Identity, shopId: string): Promise<Shop> {
  const ownerId = requireShopOwner(identity);
  const [shop] = await tx.$queryRaw<Shop[]>`SELECT * FROM "Shop" WHERE "id" = ${shopId} FOR UPDATE`;
  if (!shop) throw notFound('Shop', shopId);
  requireOwnShop(shop, ownerId);
  return shop;
}

function bump(tx: Tx, shopId: string, data: Prisma.ShopUpdateInput = {}) {
  return tx.shop.update({ where: { id: shopId }, data: { ...data, version: { increment: 1 } } });
}

function termsOf(shop: Shop): ShopTerms {
  return { ...shop, openingHours: shop.openingHours as unknown as ShopTerms['openingHours'] };
}

export async function registerShop(identity: Identity, input: ShopTermsInput): Promise<Shop> {
  const ownerId = requireShopOwner(identity);
  const terms = validateNewShop(input);
  return db.$transaction(async (tx) => {
    const shop = await tx.shop.create({
      data: {
        id: randomUUID(),
        ownerId,
        ...terms,
        openingHours: terms.openingHours as unknown as Prisma.InputJsonValue,
      },
    });
    await publishShopChange(tx, 'shop.registered', shop);
    await publishMenuChange(tx, shop);
    return shop;
  });
}

export async function updateShop(identity: Identity, shopId: string, input: ShopTermsInput): Promise<Shop> {
  return db.$transaction(async (tx) => {
    const current = await ownShop(tx, identity, shopId);
    const terms = applyShopChanges(termsOf(current), input);
    const shop = await bump(tx, shopId, {
      ...terms,
      openingHours: terms.openingHours as unknown as Prisma.InputJsonValue,
    });
    await publishShopChange(tx, 'shop.updated', shop);
    return shop;
  });
}

/** The owner's pause switch: closed shops stay listed but take no orders. */
export async function setShopOpen(identity: Identity, shopId: string, isOpen: boolean): Promise<Shop> {
  return db.$transaction(async (tx) => {
    await ownShop(tx, identity, shopId);
    const shop = await bump(tx, shopId, { isOpen });
    await publishShopChange(tx, isOpen ? 'shop.opened' : 'shop.closed', shop);
    return shop;
  });
}

async function menuChange<T>(identity: Identity, shopId: string, change: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await ownShop(tx, identity, shopId);
    const result = await change(tx);
    await publishMenuChange(tx, await bump(tx, shopId));
    return result;
  });
}

export async function upsertMenuGroup(
  identity: Identity,
  shopId: string,
  input: { id?: string | null; name: string; position?: number | null },
) {
  const name = validateGroupName(input.name);
  return menuChange(identity, shopId, async (tx) => {
    if (input.id) {
      const group = await tx.menuGroup.findFirst({ where: { id: input.id, shopId } });
      if (!group) throw notFound('Menu group', input.id);
      return tx.menuGroup.update({
        where: { id: input.id },
        data: { name, ...(input.position != null ? { position: input.position } : {}) },
      });
    }
    const position = input.position ?? (await tx.menuGroup.count({ where: { shopId } }));
    return tx.menuGroup.create({ data: { id: randomUUID(), shopId, name, position } });
  });
}

export async function upsertMenuItem(identity: Identity, shopId: string, input: MenuItemCommand) {
  const item = validateMenuItem(input);
  return menuChange(identity, shopId, async (tx) => {
    const group = await tx.menuGroup.findFirst({ where: { id: input.groupId, shopId } });
    if (!group) throw notFound('Menu group', input.groupId);
    const data = {
      groupId: group.id,
      name: item.name,
      description: item.description,
      price: item.price,
      ...(item.optionGroups ? { optionGroups: item.optionGroups as unknown as Prisma.InputJsonValue } : {}),
      ...(input.position != null ? { position: input.position } : {}),
    };
    if (input.id) {
      const existing = await tx.menuItem.findFirst({ where: { id: input.id, shopId } });
      if (!existing) throw notFound('Menu item', input.id);
      return tx.menuItem.update({ where: { id: input.id }, data });
    }
    const position = input.position ?? (await tx.menuItem.count({ where: { groupId: group.id } }));
    return tx.menuItem.create({ data: { id: randomUUID(), shopId, ...data, position } });
  });
}

async function shopOfItem(itemId: string): Promise<string> {
  const item = await db.menuItem.findUnique({ where: { id: itemId }, select: { shopId: true } });
  if (!item) throw notFound('Menu item', itemId);
  return item.shopId;
}

export async function setMenuItemSoldOut(identity: Identity, itemId: string, soldOut: boolean) {
  requireShopOwner(identity);
  const shopId = await shopOfItem(itemId);
  return menuChange(identity, shopId, (tx) => tx.menuItem.update({ where: { id: itemId }, data: { soldOut } }));
}

export async function deleteMenuItem(identity: Identity, itemId: string): Promise<string> {
  requireShopOwner(identity);
  const shopId = await shopOfItem(itemId);
  await menuChange(identity, shopId, (tx) => tx.menuItem.delete({ where: { id: itemId } }));
  return itemId;
}
