import { discountFor, validateCampaign } from './coupon';

describe('discountFor', () => {
  it('takes a fixed amount off, never more than the total', () => {
    expect(discountFor({ discountType: 'FIXED', amount: 7000, percent: null, maxDiscount: null }, 25000)).toBe(7000);
    expect(discountFor({ discountType: 'FIXED', amount: 7000, percent: null, maxDiscount: null }, 5000)).toBe(5000);
  });

  it('takes a percentage off, rounded down to the won, up to its cap', () => {
    expect(discountFor({ discountType: 'PERCENT', amount: null, percent: 15, maxDiscount: 5000 }, 19999)).toBe(2999);
    expect(discountFor({ discountType: 'PERCENT', amount: null, percent: 50, maxDiscount: 5000 }, 40000)).toBe(5000);
    expect(discountFor({ discountType: 'PERCENT', amount: null, percent: 100, maxDiscount: null }, 12000)).toBe(12000);
  });
});

describe('validateCampaign', () => {
  const base = {
    name: '오픈 기념 7천원',
    discountType: 'FIXED' as const,
    amount: 7000,
    percent: null,
    maxDiscount: null,
    stock: 1000,
    startsAt: new Date('2026-11-24T08:00:00Z'),
    endsAt: new Date('2026-11-24T09:00:00Z'),
  };
  const field = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (error) {
      return (error as { extensions: { field: string } }).extensions.field;
    }
  };
  it('accepts a valid campaign and refuses bad fields', () => {
    expect(validateCampaign(base).name).toBe('오픈 기념 7천원');
    expect(field(() => validateCampaign({ ...base, stock: 0 }))).toBe('stock');
    expect(field(() => validateCampaign({ ...base, endsAt: base.startsAt }))).toBe('endsAt');
    expect(field(() => validateCampaign({ ...base, amount: -1 }))).toBe('amount');
    expect(field(() => validateCampaign({ ...base, discountType: 'PERCENT', percent: 101 }))).toBe('percent');
  });
});
