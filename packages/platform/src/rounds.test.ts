import { roundsBy } from './rounds';

describe('roundsBy', () => {
  it('puts the n-th item of each key in round n, keeping the order within a round', () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2'];
    expect(roundsBy(items, (item) => item[0])).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });

  it('gives one round when every key is distinct, and none for no items', () => {
    expect(roundsBy(['a', 'b'], (item) => item)).toEqual([['a', 'b']]);
    expect(roundsBy([], (item: string) => item)).toEqual([]);
  });
});
