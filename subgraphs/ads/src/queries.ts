import { badInput, connectionOf, decodeCursor, notFound, pageSize, type Identity } from '@baedal/platform';
import type { AdCampaign, AdProduct } from '@baedal/prisma/ads';
import { db } from './db';
import { requireAdvertiser, requireRevenueReader, requireWalletReader } from './domain/access';
import { accounts } from './domain/ledger';
import { balanceOf } from './ledger';

/** The signed-in owner's campaigns across their shops, newest first, a page at a time (keyset on createdAt, id). */
export async function myAdCampaigns(identity: Identity, first: number, after: string | null | undefined) {
  const ownerId = requireAdvertiser(identity);
  const size = pageSize(first, 20);
  const key = decodeCursor(after, 2);
  const shops = await db.shopOwner.findMany({ where: { ownerId }, select: { shopId: true } });
  const createdAt = key && new Date(key[0] as string);
  const rows: AdCampaign[] = await db.adCampaign.findMany({
    where: {
      shopId: { in: shops.map((s) => s.shopId) },
      ...(createdAt ? { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: key[1] as string } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: size + 1,
  });
  return connectionOf(rows, size, (node) => [node.createdAt.toISOString(), node.id]);
}

/** A wallet as its resolvers get it: balances now; postings and statements resolve from its shop. */
export interface WalletView {
  shopId: string;
  balance: number;
  held: number;
}

/** A shop's wallet, for its owner or an admin. */
export async function adWallet(identity: Identity, shopId: string): Promise<WalletView> {
  const shop = await db.shopOwner.findUnique({ where: { shopId } });
  if (!shop) throw notFound('Shop', shopId);
  requireWalletReader(identity, shop);
  const [balance, held] = await Promise.all([
    balanceOf(db, accounts.wallet(shopId)),
    balanceOf(db, accounts.held(shopId)),
  ]);
  return { shopId, balance, held };
}

export interface PostingRow {
  seq: bigint;
  entryId: string;
  kind: string;
  amount: number;
  campaignId: string | null;
  postedAt: Date;
}

/** A wallet's postings, newest first, a page at a time (keyset on the posting's sequence). */
export async function walletPostings(shopId: string, first: number, after: string | null | undefined) {
  const size = pageSize(first, 20);
  const key = decodeCursor(after, 1);
  const before = key ? BigInt(key[0] as string) : null;
  const rows = await db.$queryRaw<PostingRow[]>`
    SELECT p."seq", p."entryId", e."kind", p."amount", e."campaignId", e."postedAt"
      FROM "Posting" p JOIN "JournalEntry" e ON e."id" = p."entryId"
     WHERE p."account" = ${accounts.wallet(shopId)} AND (${before}::bigint IS NULL OR p."seq" < ${before}::bigint)
     ORDER BY p."seq" DESC LIMIT ${size + 1}`;
  return connectionOf(rows, size, (row) => [String(row.seq)]);
}

/** One statement per month (Korean time) with a wallet movement, newest first; each opens where the last closed. */
export async function walletStatements(shopId: string) {
  const months = await db.$queryRaw<{ month: string; credits: bigint; debits: bigint }[]>`
    SELECT to_char(e."postedAt" AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Seoul', 'YYYY-MM') AS "month",
           COALESCE(SUM(p."amount") FILTER (WHERE p."amount" > 0), 0)::bigint AS "credits",
           COALESCE(-SUM(p."amount") FILTER (WHERE p."amount" < 0), 0)::bigint AS "debits"
      FROM "Posting" p JOIN "JournalEntry" e ON e."id" = p."entryId"
     WHERE p."account" = ${accounts.wallet(shopId)}
     GROUP BY 1 ORDER BY 1`;
  let opening = 0;
  const statements = months.map(({ month, credits, debits }) => {
    const closing = opening + Number(credits) - Number(debits);
    const statement = { month, opening, credits: Number(credits), debits: Number(debits), closing };
    opening = closing;
    return statement;
  });
  return statements.reverse();
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Revenue per day (Korean time) and product between two days inclusive, for admins. */
export async function adRevenue(identity: Identity, from: string, to: string) {
  requireRevenueReader(identity);
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00+09:00`)))
      throw badInput(field, `${field} must be a day such as 2026-12-05`);
  const start = new Date(`${from}T00:00:00+09:00`);
  const end = new Date(Date.parse(`${to}T00:00:00+09:00`) + 24 * 3600 * 1000);
  if (end <= start) throw badInput('to', 'to must not be before from');
  if (end.getTime() - start.getTime() > 366 * 24 * 3600 * 1000) throw badInput('to', 'at most 366 days at a time');
  const rows = await db.$queryRaw<{ day: string; account: string; amount: bigint }[]>`
    SELECT to_char(e."postedAt" AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS "day",
           p."account", SUM(p."amount")::bigint AS "amount"
      FROM "Posting" p JOIN "JournalEntry" e ON e."id" = p."entryId"
     WHERE p."account" LIKE 'revenue:%' AND e."postedAt" >= ${start} AND e."postedAt" < ${end}
     GROUP BY 1, 2 ORDER BY 1, 2`;
  return rows.map((r) => ({
    day: r.day,
    product: r.account.slice('revenue:'.length) as AdProduct,
    amount: Number(r.amount),
  }));
}
