import { applyShopChanges, validateNewShop } from './shopRules';
import { validateMenuItem, validateOptionGroups } from './menuRules';

const valid = {
  name: '바삭치킨 강남점',
  category: 'CHICKEN',
  description: '',
  minimumOrder: 15000,
  deliveryFee: 3000,
  deliveryAreas: ['GANGNAM', 'GANGNAM', 'SEOCHO'],
  openingHours: [{ day: 1, opens: '11:00', closes: '23:00' }],
};
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    const ext = (error as { extensions: { code: string; field?: string } }).extensions;
    return `${ext.code}:${ext.field}`;
  }
  return 'no error';
};

describe('shop rules', () => {
  it('accepts a valid shop, trimming names and dropping repeated areas', () => {
    const terms = validateNewShop({ ...valid, name: '  바삭치킨 강남점 ' });
    expect(terms).toMatchObject({ name: '바삭치킨 강남점', deliveryAreas: ['GANGNAM', 'SEOCHO'], minimumOrder: 15000 });
  });

  it.each([
    ['a blank name', { name: '  ' }, 'BAD_USER_INPUT:name'],
    ['a 51-character name', { name: 'x'.repeat(51) }, 'BAD_USER_INPUT:name'],
    ['a negative fee', { deliveryFee: -1 }, 'BAD_USER_INPUT:deliveryFee'],
    ['a fractional minimum', { minimumOrder: 100.5 }, 'BAD_USER_INPUT:minimumOrder'],
    ['an absurd minimum', { minimumOrder: 1_000_001 }, 'BAD_USER_INPUT:minimumOrder'],
    ['no areas', { deliveryAreas: [] }, 'BAD_USER_INPUT:deliveryAreas'],
    ['an unknown area', { deliveryAreas: ['BUSAN'] }, 'BAD_USER_INPUT:deliveryAreas'],
    ['an unknown category', { category: 'SUSHI_BAR' }, 'BAD_USER_INPUT:category'],
    ['day 7', { openingHours: [{ day: 7, opens: '11:00', closes: '23:00' }] }, 'BAD_USER_INPUT:openingHours'],
    ['25:00', { openingHours: [{ day: 1, opens: '11:00', closes: '25:00' }] }, 'BAD_USER_INPUT:openingHours'],
    [
      'an empty interval',
      { openingHours: [{ day: 1, opens: '11:00', closes: '11:00' }] },
      'BAD_USER_INPUT:openingHours',
    ],
    ['a long description', { description: 'x'.repeat(501) }, 'BAD_USER_INPUT:description'],
  ])('refuses %s', (_name, change, expected) => {
    expect(fieldOf(() => validateNewShop({ ...valid, ...change }))).toBe(expected);
  });

  it('requires every field of a new shop', () => {
    const { deliveryFee: _omitted, ...rest } = valid;
    expect(fieldOf(() => validateNewShop(rest))).toBe('BAD_USER_INPUT:deliveryFee');
  });

  it('changes only the fields given', () => {
    const current = validateNewShop(valid);
    expect(applyShopChanges(current, { deliveryFee: 0 })).toEqual({ ...current, deliveryFee: 0 });
    expect(
      applyShopChanges(current, { openingHours: [{ day: 0, opens: '00:00', closes: '00:00' }] }).openingHours,
    ).toHaveLength(1);
  });
});

describe('menu rules', () => {
  it('validates an item with option groups and gives every group and option an id', () => {
    const item = validateMenuItem({
      name: '후라이드치킨',
      price: 18000,
      optionGroups: [
        {
          name: '사이즈',
          minSelect: 1,
          maxSelect: 1,
          options: [
            { name: '한마리', price: 0 },
            { name: '두마리', price: 16000 },
          ],
        },
      ],
    });
    expect(item.optionGroups?.[0]).toMatchObject({ name: '사이즈', minSelect: 1, maxSelect: 1 });
    expect(item.optionGroups?.[0].options.map((o) => o.id).every(Boolean)).toBe(true);
  });

  it.each([
    ['a negative price', { name: 'x', price: -100 }, 'BAD_USER_INPUT:price'],
    ['a blank name', { name: '', price: 100 }, 'BAD_USER_INPUT:name'],
  ])('refuses %s', (_name, input, expected) => {
    expect(fieldOf(() => validateMenuItem(input))).toBe(expected);
  });

  it.each([
    [
      'a group without options',
      [{ name: 'g', minSelect: 0, maxSelect: 1, options: [] }],
      'BAD_USER_INPUT:optionGroups[0].options',
    ],
    [
      'minSelect above the options',
      [{ name: 'g', minSelect: 2, maxSelect: 2, options: [{ name: 'a', price: 0 }] }],
      'BAD_USER_INPUT:optionGroups[0].minSelect',
    ],
    [
      'maxSelect below minSelect',
      [{ name: 'g', minSelect: 1, maxSelect: 0, options: [{ name: 'a', price: 0 }] }],
      'BAD_USER_INPUT:optionGroups[0].maxSelect',
    ],
    [
      'a negative option price',
      [{ name: 'g', minSelect: 0, maxSelect: 1, options: [{ name: 'a', price: -1 }] }],
      'BAD_USER_INPUT:optionGroups[0].options[0].price',
    ],
  ])('refuses %s', (_name, groups, expected) => {
    expect(fieldOf(() => validateOptionGroups(groups))).toBe(expected);
  });
});
