import { randomUUID } from 'node:crypto';
import { event } from '@baedal/contracts';
import { appendToOutbox } from '@baedal/events';
import { DomainError, isUniqueViolation, notFound, type Identity } from '@baedal/platform';
import type { AdTopUp } from '@baedal/prisma/payments';
import { paymentsConfig } from '../config';
import { db } from '../db';
import { inFlightMs } from '../domain/payment';
import { requireTopUpPayer, validateTopUp } from '../domain/topUp';
import { authorizeWithFailover, providers, recordedCharge, type AuthorizationResult } from '../providers';
import { log } from './records';

/*
 * Topping up a shop's ad wallet: a charge on the payment providers, as
 * payOrder's is. The top-up row (PENDING) is written before any provider is
 * asked, the providers are asked with the top-up's id as their key, and one
 * left PENDING (a crash, or providers that could not say) is settled by
 * reconciliation from what the providers recorded. An approval writes
 * payment.adTopUp.approved with the outcome, and ads credits the wallet from
 * it: ads never calls payments.
 */

export interface TopUpInput {
  shopId: string;
  amount: number;
  idempotencyKey: string;
}

const providerKey = (topUpId: string) => `topup:${topUpId}`;

export async function topUpAdWallet(identity: Identity, input: TopUpInput): Promise<AdTopUp> {
  requireTopUpPayer(identity, null);
  const shop = await db.shopOwner.findUnique({ where: { shopId: input.shopId } });
  if (!shop) throw notFound('Shop', input.shopId);
  const ownerId = requireTopUpPayer(identity, shop);
  validateTopUp(input.amount, input.idempotencyKey);
  let topUp: AdTopUp;
  try {
    topUp = await db.adTopUp.create({
      data: { id: randomUUID(), ...input, ownerId, status: 'PENDING' },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The key's top-up exists: sent again (or twice at once). It answers, unless the key was used for another.
    const twin = await db.adTopUp.findUniqueOrThrow({
      where: { ownerId_idempotencyKey: { ownerId, idempotencyKey: input.idempotencyKey } },
    });
    if (twin.shopId !== input.shopId || twin.amount !== input.amount)
      throw new DomainError('CONFLICT', 'This idempotencyKey was used for another top-up', { field: 'idempotencyKey' });
    return twin.status === 'PENDING' ? reconcileTopUp(twin.id) : twin;
  }
  try {
    const { provider, result } = await authorizeWithFailover(
      providers(log),
      providerKey(topUp.id),
      topUp.amount,
      `adwallet:${topUp.shopId}`,
      // It may charge after timing out: reconciliation refunds such a second charge (voidStrayTopUpCharges).
      async (failure) =>
        void (await db.adTopUp.update({
          where: { id: topUp.id },
          data: { unansweredProviders: { push: failure.provider } },
        })),
    );
    return await settleTopUp(topUp.id, provider.name, result);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    log.warn({ err: error, topUpId: topUp.id }, 'no provider could authorize a top-up');
    // A provider that timed out may still have charged: it stays PENDING unless every provider says it did not.
    return reconcileTopUp(topUp.id);
  }
}

/** A provider's answer for a PENDING top-up, written once; an approval announces itself to ads in the same transaction. */
async function settleTopUp(id: string, provider: string, result: AuthorizationResult): Promise<AdTopUp> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.adTopUp.updateMany({
      where: { id, status: 'PENDING' },
      data: {
        status: result.status,
        provider,
        providerTransactionId: result.transactionId,
        declineReason: result.reason,
      },
    });
    const topUp = await tx.adTopUp.findUniqueOrThrow({ where: { id } });
    if (count && topUp.status === 'APPROVED') {
      const { shopId, ownerId, amount } = topUp;
      await appendToOutbox(tx, [event('payment.adTopUp.approved', id, 1, { topUpId: id, shopId, ownerId, amount })]);
    }
    return topUp;
  });
}

/** Settles a PENDING top-up from what the providers recorded for its key; FAILED only when every provider says none. */
export async function reconcileTopUp(id: string): Promise<AdTopUp> {
  const found = await recordedCharge(providers(log), providerKey(id));
  if (found && found !== 'unknown') return settleTopUp(id, found.provider.name, found.result);
  if (found === null) await db.adTopUp.updateMany({ where: { id, status: 'PENDING' }, data: { status: 'FAILED' } });
  return db.adTopUp.findUniqueOrThrow({ where: { id } });
}

/**
 * Refunds a second charge: a provider that timed out while a top-up was authorized may have charged it
 * all the same, while another provider's answer settled it. Asks each such provider for the key;
 * a provider that cannot be asked is asked again next round.
 */
async function voidStrayTopUpCharges(topUp: AdTopUp): Promise<void> {
  for (const name of new Set(topUp.unansweredProviders)) {
    if (name === topUp.provider) continue;
    const provider = providers(log).find((p) => p.name === name);
    const stray = provider && (await provider.lookup(providerKey(topUp.id)));
    if (provider && stray?.status === 'APPROVED') {
      await provider.refund(`refund-${providerKey(topUp.id)}`, stray.transactionId, topUp.amount);
      log.warn({ topUpId: topUp.id, provider: name }, 'refunded a second charge of a top-up');
    }
  }
  await db.adTopUp.update({ where: { id: topUp.id }, data: { straysCheckedAt: new Date() } });
}

/** One round: top-ups left PENDING past every provider's timeout, then second charges behind failovers of the last day. */
export async function reconcileTopUps(): Promise<number> {
  const inFlight = inFlightMs(providers(log).length, paymentsConfig().PROVIDER_TIMEOUT_MS);
  const pending = await db.adTopUp.findMany({
    where: { status: 'PENDING', createdAt: { lt: new Date(Date.now() - inFlight) } },
    take: 500,
  });
  for (const { id } of pending)
    await reconcileTopUp(id).catch((error) => log.warn({ err: error, topUpId: id }, 'top-up reconcile failed'));
  const suspects = await db.adTopUp.findMany({
    where: {
      status: { not: 'PENDING' },
      straysCheckedAt: null,
      createdAt: { gt: new Date(Date.now() - 24 * 3600_000) },
      NOT: { unansweredProviders: { isEmpty: true } },
    },
    take: 500,
  });
  for (const topUp of suspects)
    await voidStrayTopUpCharges(topUp).catch((error) =>
      log.warn({ err: error, topUpId: topUp.id }, 'top-up void check failed'),
    );
  return pending.length + suspects.length;
}
