import type { Payment } from '@baedal/prisma/payments';
import { paymentsConfig } from '../config';
import { db } from '../db';
import { inFlightMs } from '../domain/payment';
import { providers, recordedCharge } from '../providers';
import { log, record, releaseCoupon } from './records';
import { settle, voidCharge } from './settle';
import { reconcileTopUps } from './topUp';

/** Marks a PENDING payment FAILED (nothing was charged), giving its coupon back. */
export async function fail(paymentId: string, detail: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
    if (payment.status !== 'PENDING') return;
    const failed = await tx.payment.update({ where: { id: paymentId }, data: { status: 'FAILED' } });
    await record(tx, paymentId, 'FAILED', failed.amount, null, detail);
    await releaseCoupon(tx, failed, 'payment failed');
  });
}

/**
 * Settles a PENDING payment from what the providers recorded for its key
 * (a crash after a provider approved leaves exactly this). Providers that
 * cannot be asked leave it PENDING for the next round.
 */
export async function reconcilePayment(paymentId: string): Promise<Payment> {
  const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  if (payment.status !== 'PENDING') return payment;
  const found = await recordedCharge(providers(log), payment.id);
  if (found && found !== 'unknown') return settle(payment, found.provider, found.result, 'reconciled');
  // Nobody charged and everybody said so: it is safe to call it failed (nothing was charged).
  if (found === null) await fail(payment.id, 'reconciled: no provider recorded it');
  return db.payment.findUniqueOrThrow({ where: { id: paymentId } });
}

/**
 * Voids a second charge: when a provider timed out and another approved, the
 * first may have charged too; ask it, and refund what it recorded.
 */
async function voidStrayCharges(payment: Payment): Promise<void> {
  const timedOut = await db.paymentRecord.findMany({ where: { paymentId: payment.id, kind: 'PROVIDER_FAILED' } });
  for (const name of new Set(timedOut.map((r) => r.provider))) {
    if (name === payment.provider) continue;
    const provider = providers(log).find((p) => p.name === name);
    const stray = await provider?.lookup(payment.id).catch(() => null);
    if (!provider || !stray || stray.status !== 'APPROVED') continue;
    await voidCharge(payment, provider, stray.transactionId);
  }
}

/** One reconciliation round: PENDING payments and ad top-ups, then stray charges behind failovers of the last day. Returns how many it looked at. */
export async function reconcilePayments(): Promise<number> {
  // Leave alone what a request may still be authorizing: every provider's timeout, twice over.
  const inFlight = inFlightMs(providers(log).length, paymentsConfig().PROVIDER_TIMEOUT_MS);
  const pending = await db.payment.findMany({
    where: { status: 'PENDING', createdAt: { lt: new Date(Date.now() - inFlight) } },
    take: 500,
  });
  for (const payment of pending)
    await reconcilePayment(payment.id).catch((error) =>
      log.warn({ err: error, paymentId: payment.id }, 'reconcile failed'),
    );
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  const failovers = await db.paymentRecord.findMany({
    where: { kind: 'PROVIDER_FAILED', at: { gt: since } },
    select: { paymentId: true },
    distinct: ['paymentId'],
  });
  const voided = await db.paymentRecord.findMany({
    where: { kind: 'VOIDED', paymentId: { in: failovers.map((f) => f.paymentId) } },
    select: { paymentId: true },
  });
  const done = new Set(voided.map((v) => v.paymentId));
  const toCheck = await db.payment.findMany({
    where: {
      id: { in: failovers.map((f) => f.paymentId).filter((id) => !done.has(id)) },
      status: { in: ['APPROVED', 'REFUNDED', 'FAILED'] },
    },
  });
  for (const payment of toCheck)
    await voidStrayCharges(payment).catch((error) =>
      log.warn({ err: error, paymentId: payment.id }, 'void check failed'),
    );
  return pending.length + toCheck.length + (await reconcileTopUps());
}
