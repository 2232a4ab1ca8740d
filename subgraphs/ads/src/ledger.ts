import { Prisma, type AdCampaign } from '@baedal/prisma/ads';
import { accounts, holdForContract, releaseUnused, settleDay, type JournalEntry } from './domain/ledger';
import { dailyCost, tableAt, unusedRefund, type PriceTable } from './domain/pricing';

/*
 * The ledger in ads' database: journal entries and their postings, written
 * once and never updated (an entry's id names what it records, so posting
 * it again does nothing), and balances summed from the postings. A shop's
 * wallet row is the lock its spending takes.
 */

type Tx = Prisma.TransactionClient;

export type EntryKind = 'TOP_UP' | 'HOLD' | 'SETTLE' | 'RELEASE' | 'FEE' | 'FEE_REVERSAL';

/** Posts `entry` unless an entry of its id exists; whether it was posted now. */
export async function post(
  tx: Tx,
  entry: JournalEntry,
  meta: { shopId: string; kind: EntryKind; campaignId?: string | null; at?: Date },
): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO "JournalEntry" ("id", "shopId", "kind", "campaignId", "postedAt")
    VALUES (${entry.id}, ${meta.shopId}, ${meta.kind}, ${meta.campaignId ?? null},
            ${(meta.at ?? new Date()).toISOString()}::timestamptz AT TIME ZONE 'UTC')
    ON CONFLICT ("id") DO NOTHING`;
  if (!inserted) return false;
  await tx.posting.createMany({
    data: entry.postings.map(({ account, amount }) => ({ entryId: entry.id, account, amount })),
  });
  return true;
}

/** An account's balance: its postings added up. */
export async function balanceOf(tx: Tx, account: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ balance: bigint | null }[]>`
    SELECT SUM("amount")::bigint AS "balance" FROM "Posting" WHERE "account" = ${account}`;
  return Number(row?.balance ?? 0);
}

/** Takes the shop's wallet lock for the rest of the transaction (made on first use); its balance. */
export async function lockWallet(tx: Tx, shopId: string): Promise<number> {
  await tx.$executeRaw`INSERT INTO "AdWallet" ("shopId") VALUES (${shopId}) ON CONFLICT DO NOTHING`;
  await tx.$queryRaw`SELECT "shopId" FROM "AdWallet" WHERE "shopId" = ${shopId} FOR UPDATE`;
  return balanceOf(tx, accounts.wallet(shopId));
}

/** Every price table (a handful of rows). */
async function priceTables(tx: Tx): Promise<PriceTable[]> {
  return (await tx.adPriceTable.findMany()).map((r) => ({
    version: r.version,
    effectiveFrom: r.effectiveFrom,
    ultraCallPer30Days: r.ultraCallPer30Days as Record<string, number>,
    openList: { basisPoints: r.openListBasisPoints, floorWon: r.openListFloorWon },
  }));
}

/** The price table in force at `at`. */
export const priceTableAt = async (tx: Tx, at: Date): Promise<PriceTable> => tableAt(await priceTables(tx), at);

/** The table a contract was priced by (its version), or the one in force at `at` for a contract made before prices. */
export async function contractTable(tx: Tx, version: number | null, at: Date): Promise<PriceTable> {
  const tables = await priceTables(tx);
  return tables.find((t) => t.version === version) ?? tableAt(tables, at);
}

/**
 * Records whether the wallet is below zero after a posting; answers whether that changed, which
 * pauses or resumes the shop's OPEN_LIST placements (the caller publishes them again).
 */
export async function markWalletState(tx: Tx, shopId: string): Promise<boolean> {
  const belowZero = (await balanceOf(tx, accounts.wallet(shopId))) < 0;
  const changed = await tx.$executeRaw`
    UPDATE "AdWallet" SET "belowZero" = ${belowZero} WHERE "shopId" = ${shopId} AND "belowZero" <> ${belowZero}`;
  return changed > 0;
}

type Contract = Pick<AdCampaign, 'id' | 'shopId' | 'product' | 'price' | 'days'>;

/** Holds a new contract's price out of the wallet (nothing for a contract without one). */
export async function holdPrice(tx: Tx, contract: Contract): Promise<void> {
  if (contract.price > 0)
    await post(tx, holdForContract(`hold:${contract.id}`, contract.shopId, contract.price), {
      shopId: contract.shopId,
      kind: 'HOLD',
      campaignId: contract.id,
    });
}

/**
 * Moves each of the contract's first `days` days' cost from what it holds to revenue, a day at a
 * time; a day already settled is not posted again (its entry's id), so a settlement cut short by a
 * crash is finished by the next, never doubled. Answers how many days it posted.
 */
export async function settleThrough(tx: Tx, contract: Contract, days: number): Promise<number> {
  if (!contract.price || !contract.days) return 0;
  const settled = new Set(
    (await tx.journalEntry.findMany({ where: { campaignId: contract.id, kind: 'SETTLE' }, select: { id: true } })).map(
      (e) => e.id,
    ),
  );
  let posted = 0;
  for (let day = 1; day <= days; day++) {
    const id = `settle:${contract.id}:${day}`;
    const cost = dailyCost(contract.price, contract.days, day);
    if (cost === 0 || settled.has(id)) continue;
    const entry = settleDay(id, contract.shopId, contract.product, cost);
    if (await post(tx, entry, { shopId: contract.shopId, kind: 'SETTLE', campaignId: contract.id })) posted++;
  }
  return posted;
}

/** Ends a contract after `used` days: those days settled, the rest of its price given back to the wallet. */
export async function closeContract(tx: Tx, contract: Contract, used: number): Promise<number> {
  if (!contract.price || !contract.days) return 0;
  await settleThrough(tx, contract, used);
  const refund = unusedRefund(contract.price, contract.days, used);
  if (refund > 0)
    await post(tx, releaseUnused(`release:${contract.id}`, contract.shopId, refund), {
      shopId: contract.shopId,
      kind: 'RELEASE',
      campaignId: contract.id,
    });
  return refund;
}
