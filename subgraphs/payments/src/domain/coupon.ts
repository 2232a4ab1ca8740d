import { badInput } from '@baedal/platform';

export interface CouponTerms {
  discountType: 'FIXED' | 'PERCENT';
  amount: number | null;
  percent: number | null;
  maxDiscount: number | null;
}

/** What a coupon takes off an order total, in won: never more than the total, so a payment is never below zero. */
export function discountFor(coupon: CouponTerms, total: number): number {
  const raw =
    coupon.discountType === 'FIXED' ? (coupon.amount ?? 0) : Math.floor((total * (coupon.percent ?? 0)) / 100);
  const capped =
    coupon.discountType === 'PERCENT' && coupon.maxDiscount !== null ? Math.min(raw, coupon.maxDiscount) : raw;
  return Math.max(0, Math.min(capped, total));
}

export interface NewCampaign extends CouponTerms {
  name: string;
  stock: number;
  startsAt: Date;
  endsAt: Date;
}

export const MAX_STOCK = 1_000_000;

/** A campaign an admin may create, or BAD_USER_INPUT naming the field. */
export function validateCampaign(input: NewCampaign): NewCampaign {
  const name = input.name.trim();
  if (!name || name.length > 100) throw badInput('name', 'name must be 1 to 100 characters');
  if (!Number.isInteger(input.stock) || input.stock < 1 || input.stock > MAX_STOCK)
    throw badInput('stock', `stock must be from 1 to ${MAX_STOCK}`);
  if (!(input.endsAt > input.startsAt)) throw badInput('endsAt', 'endsAt must be after startsAt');
  if (input.discountType === 'FIXED') {
    if (!Number.isInteger(input.amount) || input.amount! < 1 || input.amount! > 1_000_000)
      throw badInput('amount', 'a fixed discount needs amount from 1 to 1,000,000 won');
    return { ...input, name, percent: null, maxDiscount: null };
  }
  if (!Number.isInteger(input.percent) || input.percent! < 1 || input.percent! > 100)
    throw badInput('percent', 'a percentage discount needs percent from 1 to 100');
  if (input.maxDiscount !== null && (!Number.isInteger(input.maxDiscount) || input.maxDiscount < 1))
    throw badInput('maxDiscount', 'maxDiscount must be a positive number of won');
  return { ...input, name, amount: null };
}

export const PAYMENT_METHODS = ['CARD', 'KAKAO_PAY', 'NAVER_PAY', 'TOSS_PAY'] as const;
