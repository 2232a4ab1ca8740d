import { randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import Redis from 'ioredis';
import { jobOptions } from '@baedal/events';
import { DomainError, notFound, redisPrefix, redisUrl, type Identity } from '@baedal/platform';
import type { CouponCampaign, PrismaClient } from '@baedal/prisma/payments';
import { requireCampaignAdmin, requirePayingCustomer } from '../domain/access';
import { validateCampaign, type NewCampaign } from '../domain/coupon';
import { log } from './records';

/*
 * First-come-first-served coupons. A claim is decided in Redis by one Lua
 * script (not started, ended, already claimed, sold out, or take one), so a
 * burst never touches Postgres and never oversells. Claims are persisted
 * asynchronously through the "coupon-claims" queue into CouponClaim, whose
 * unique (campaign, customer) and the campaign's stock are the second guard
 * (persistClaim). A Redis that lost the campaign (restarted without its
 * data, or emptied) is rebuilt from Postgres before the next claim is
 * decided (restoreCampaign). What a loss can cost a claim already answered
 * depends on Redis's persistence: docs/events.md, "Coupons and Redis".
 */

export const CLAIMS_QUEUE = 'coupon-claims';

const keys = (campaignId: string) => {
  const base = `${redisPrefix()}:coupon:${campaignId}`;
  return { meta: `${base}:meta`, remaining: `${base}:remaining`, claims: `${base}:claims` };
};
const claimKey = (claimId: string) => `${redisPrefix()}:coupon-claim:${claimId}`;

const CLAIM_SCRIPT = `
local meta = redis.call('HMGET', KEYS[1], 'startsAt', 'endsAt')
if not meta[1] then return {'NOT_FOUND'} end
local now = tonumber(ARGV[1])
if now < tonumber(meta[1]) then return {'COUPON_NOT_STARTED'} end
if now >= tonumber(meta[2]) then return {'COUPON_EXPIRED'} end
local existing = redis.call('HGET', KEYS[3], ARGV[2])
if existing then return {'COUPON_ALREADY_CLAIMED', existing} end
local left = tonumber(redis.call('GET', KEYS[2]) or '0')
if left <= 0 then return {'COUPON_SOLD_OUT'} end
redis.call('DECR', KEYS[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('SET', KEYS[4], ARGV[4] .. ':' .. ARGV[2])
return {'CLAIMED', ARGV[3]}
`;

/*
 * A campaign as Postgres knows it, put back only if Redis has none: the meta
 * written last, so no claim is decided on a half-restored campaign, and the
 * whole script atomic, so concurrent restorers write it once.
 * KEYS: meta, remaining, claims. ARGV: startsAt, endsAt, stock, remaining, then customerId, claimId pairs.
 */
const RESTORE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[3])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[1], 'startsAt', ARGV[1], 'endsAt', ARGV[2], 'stock', ARGV[3])
return 1
`;

type ClaimRedis = Redis & {
  restoreCampaign(meta: string, remaining: string, claims: string, ...args: string[]): Promise<number>;
  claimCoupon(
    meta: string,
    remaining: string,
    claims: string,
    claim: string,
    now: string,
    customerId: string,
    claimId: string,
    campaignId: string,
  ): Promise<string[]>;
};

let redis: ClaimRedis | null = null;
let claimsQueue: Queue | null = null;

function connection(): ClaimRedis {
  if (!redis) {
    redis = new Redis(redisUrl(), { maxRetriesPerRequest: 2 }) as ClaimRedis;
    redis.defineCommand('claimCoupon', { numberOfKeys: 4, lua: CLAIM_SCRIPT });
    redis.defineCommand('restoreCampaign', { numberOfKeys: 3, lua: RESTORE_SCRIPT });
  }
  return redis;
}

function queue(): Queue {
  claimsQueue ??= new Queue(CLAIMS_QUEUE, {
    connection: connection() as ConnectionOptions,
    prefix: redisPrefix(),
    // Kept and expired as event jobs are (retention.ts); retried sooner, as a customer waits to see the coupon.
    defaultJobOptions: jobOptions({ attempts: 10, backoffMs: 200 }),
  });
  return claimsQueue;
}

export async function closeCoupons(): Promise<void> {
  await claimsQueue?.close();
  redis?.disconnect();
  claimsQueue = null;
  redis = null;
}

/** Loads a campaign into Redis; the remaining stock is set only if absent, so reloading never refills it. */
export async function loadCampaign(campaign: CouponCampaign): Promise<void> {
  const k = keys(campaign.id);
  await connection().hset(k.meta, {
    startsAt: campaign.startsAt.getTime(),
    endsAt: campaign.endsAt.getTime(),
    stock: campaign.stock,
  });
  await connection().set(k.remaining, campaign.stock, 'NX');
}

export async function createCampaign(
  db: PrismaClient,
  identity: Identity,
  input: NewCampaign,
): Promise<CouponCampaign> {
  requireCampaignAdmin(identity);
  const terms = validateCampaign(input);
  const campaign = await db.couponCampaign.create({ data: { id: randomUUID(), ...terms } });
  await loadCampaign(campaign);
  return campaign;
}

export interface Claim {
  id: string;
  campaignId: string;
  customerId: string;
  status: 'CLAIMED' | 'USED';
}

const REFUSALS: Record<string, string> = {
  COUPON_NOT_STARTED: 'This coupon event has not started yet',
  COUPON_EXPIRED: 'This coupon event has ended',
  COUPON_ALREADY_CLAIMED: 'You already have this coupon',
  COUPON_SOLD_OUT: 'All coupons of this event are gone',
};

/**
 * Puts a campaign Redis does not hold back from Postgres: its terms, its
 * persisted claims, and the stock they leave. False if Postgres has no such campaign.
 */
export async function restoreCampaign(db: PrismaClient, campaignId: string): Promise<boolean> {
  const campaign = await db.couponCampaign.findUnique({ where: { id: campaignId } });
  if (!campaign) return false;
  const claims = await db.couponClaim.findMany({ where: { campaignId }, select: { id: true, customerId: true } });
  const k = keys(campaignId);
  const restored = await connection().restoreCampaign(
    k.meta,
    k.remaining,
    k.claims,
    String(campaign.startsAt.getTime()),
    String(campaign.endsAt.getTime()),
    String(campaign.stock),
    String(Math.max(0, campaign.stock - claims.length)),
    ...claims.flatMap((c) => [c.customerId, c.id]),
  );
  if (restored) log.warn({ campaignId, claims: claims.length }, 'coupon campaign restored to Redis from Postgres');
  return true;
}

/** Decides a claim in Redis alone (restoring a campaign Redis lost, first), then queues it for Postgres. */
export async function claimCoupon(
  db: PrismaClient,
  identity: Identity,
  campaignId: string,
  now = Date.now(),
): Promise<Claim> {
  const customerId = requirePayingCustomer(identity);
  const claimId = randomUUID();
  const k = keys(campaignId);
  const decide = () =>
    connection().claimCoupon(
      k.meta,
      k.remaining,
      k.claims,
      claimKey(claimId),
      String(now),
      customerId,
      claimId,
      campaignId,
    );
  let [outcome] = await decide();
  if (outcome === 'NOT_FOUND' && (await restoreCampaign(db, campaignId))) [outcome] = await decide();
  if (outcome === 'NOT_FOUND') throw notFound('Coupon campaign', campaignId);
  if (outcome !== 'CLAIMED')
    throw new DomainError(outcome as 'COUPON_SOLD_OUT', REFUSALS[outcome] ?? outcome, { campaignId });
  await queue().add(
    'claim',
    { claimId, campaignId, customerId, claimedAt: new Date(now).toISOString() },
    { jobId: claimId },
  );
  return { id: claimId, campaignId, customerId, status: 'CLAIMED' };
}

/**
 * The "coupon-claims" consumer: persists a claim once (the unique constraint
 * absorbs redelivery), and only while the campaign has stock left: Postgres
 * never holds more claims than the stock, even after a Redis that lost its
 * data answered claims it should not have. Answers whether the claim is persisted.
 */
export async function persistClaim(
  db: PrismaClient,
  claim: { claimId: string; campaignId: string; customerId: string; claimedAt: string },
): Promise<boolean> {
  // The campaign's row is the lock: claims of one campaign are counted one at a time.
  const persisted = await db.$queryRaw<{ id: string }[]>`
    WITH counted AS (
      UPDATE "CouponCampaign" SET "issued" = "issued" + 1
       WHERE "id" = ${claim.campaignId} AND "issued" < "stock"
         AND NOT EXISTS (SELECT 1 FROM "CouponClaim" WHERE "campaignId" = ${claim.campaignId} AND "customerId" = ${claim.customerId})
      RETURNING "id")
    INSERT INTO "CouponClaim" ("id", "campaignId", "customerId", "status", "claimedAt")
    SELECT ${claim.claimId}, "id", ${claim.customerId}, 'CLAIMED', ${new Date(claim.claimedAt)} FROM counted
    ON CONFLICT DO NOTHING
    RETURNING "id"`;
  if (persisted.length) return true;
  // Redelivered, or refused: only the refusal is news.
  const stored = await db.couponClaim.findUnique({
    where: { campaignId_customerId: { campaignId: claim.campaignId, customerId: claim.customerId } },
    select: { id: true },
  });
  if (!stored) log.warn(claim, 'coupon claim not persisted: the campaign has no stock left in Postgres');
  return false;
}

/** A claim by id, from Postgres or, while its persistence is still queued, from Redis (and then persisted). */
export async function findClaim(db: PrismaClient, claimId: string) {
  const stored = await db.couponClaim.findUnique({ where: { id: claimId } });
  if (stored) return stored;
  const owner = await connection().get(claimKey(claimId));
  if (!owner) return null;
  const [campaignId, customerId] = owner.split(':');
  await persistClaim(db, { claimId, campaignId, customerId, claimedAt: new Date().toISOString() });
  return db.couponClaim.findUnique({ where: { id: claimId } });
}

export async function remainingStock(campaignId: string): Promise<number | null> {
  const value = await connection().get(keys(campaignId).remaining);
  return value === null ? null : Number(value);
}

export interface ReconcileReport {
  campaignId: string;
  persistedFromRedis: number;
  restoredToRedis: number;
  remaining: number;
}

/** Makes Redis and Postgres agree on a campaign's claims, and the remaining stock follow from them. */
export async function reconcileCampaign(db: PrismaClient, campaignId: string): Promise<ReconcileReport> {
  const campaign = await db.couponCampaign.findUnique({ where: { id: campaignId } });
  if (!campaign) throw notFound('Coupon campaign', campaignId);
  await loadCampaign(campaign);
  const k = keys(campaignId);
  const inRedis = await connection().hgetall(k.claims); // customerId -> claimId
  const inPostgres = await db.couponClaim.findMany({ where: { campaignId }, select: { id: true, customerId: true } });
  // The count persisting guards by follows the claims Postgres holds (one may have been lost, or deleted by hand).
  await db.$executeRaw`
    UPDATE "CouponCampaign" SET "issued" = (SELECT count(*) FROM "CouponClaim" WHERE "campaignId" = ${campaignId})
     WHERE "id" = ${campaignId}`;
  const persisted = new Set(inPostgres.map((c) => c.customerId));
  let persistedFromRedis = 0;
  for (const [customerId, claimId] of Object.entries(inRedis)) {
    if (persisted.has(customerId)) continue;
    await persistClaim(db, { claimId, campaignId, customerId, claimedAt: new Date().toISOString() });
    persistedFromRedis++;
  }
  let restoredToRedis = 0;
  for (const claim of inPostgres) {
    if (inRedis[claim.customerId]) continue;
    await connection().hset(k.claims, claim.customerId, claim.id);
    await connection().set(claimKey(claim.id), `${campaignId}:${claim.customerId}`);
    restoredToRedis++;
  }
  const claimed = await connection().hlen(k.claims);
  const remaining = Math.max(0, campaign.stock - claimed);
  await connection().set(k.remaining, remaining);
  return { campaignId, persistedFromRedis, restoredToRedis, remaining };
}
