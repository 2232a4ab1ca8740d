import jwt from 'jsonwebtoken';
import { badInput, chargeSecret, currentTraceParent, hmacKey } from '@baedal/platform';

/*
 * Orders' signed word on what an order costs. placeOrder hands it to the
 * customer, and payOrder passes it on, so that payments can charge an order
 * it has not heard of yet: order.created reaches payments' ledger by event,
 * and paying must not wait for the pipeline.
 */

export interface OrderCharge {
  orderId: string;
  customerId: string;
  /** What the order costs, in won, before any coupon. */
  total: number;
  /** The trace of the request that asked for the charge (placeOrder's), so paying continues it. */
  trace?: string;
}

export const CHARGE_TTL_SECONDS = 15 * 60;
const ISSUER = 'baedal-orders';
const AUDIENCE = 'baedal-payments';

export function signOrderCharge(charge: OrderCharge, ttlSeconds = CHARGE_TTL_SECONDS): string {
  const trace = charge.trace ?? currentTraceParent();
  return jwt.sign(
    { customerId: charge.customerId, total: charge.total, ...(trace ? { trace } : {}) },
    hmacKey(chargeSecret()),
    {
      algorithm: 'HS256',
      subject: charge.orderId,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: ttlSeconds,
    },
  );
}

/**
 * The charge a token states, or null once it has expired (by then payments
 * has heard of the order by event). A token orders did not sign is bad input.
 */
export function verifyOrderCharge(token: string): OrderCharge | null {
  try {
    const claims = jwt.verify(token, hmacKey(chargeSecret()), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    }) as jwt.JwtPayload;
    const { sub, customerId, total, trace } = claims as {
      sub?: unknown;
      customerId?: unknown;
      total?: unknown;
      trace?: unknown;
    };
    if (
      typeof sub !== 'string' ||
      typeof customerId !== 'string' ||
      typeof total !== 'number' ||
      !Number.isInteger(total)
    ) {
      throw new Error('incomplete');
    }
    return { orderId: sub, customerId, total, ...(typeof trace === 'string' ? { trace } : {}) };
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) return null;
    throw badInput('paymentToken', 'paymentToken is not one that placeOrder issued');
  }
}
