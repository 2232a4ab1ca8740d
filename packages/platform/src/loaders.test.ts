import { groupLoader, rowLoader } from './loaders';

describe('rowLoader', () => {
  it('fetches a batch of keys in one call and gives missing keys null', async () => {
    const fetch = jest.fn(async (keys: readonly string[]) => keys.filter((k) => k !== 'missing').map((id) => ({ id })));
    const loader = rowLoader(fetch, (row) => row.id);
    const rows = await Promise.all(['a', 'b', 'missing', 'a'].map((k) => loader.load(k)));
    expect(rows).toEqual([{ id: 'a' }, { id: 'b' }, null, { id: 'a' }]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toEqual(['a', 'b', 'missing']);
  });
});

describe('groupLoader', () => {
  it('groups rows under their key and gives keys without rows an empty list', async () => {
    const fetch = jest.fn(async () => [
      { shopId: 's1', n: 1 },
      { shopId: 's1', n: 2 },
      { shopId: 's2', n: 3 },
    ]);
    const loader = groupLoader(fetch, (row) => row.shopId);
    const [s1, s2, s3] = await Promise.all(['s1', 's2', 's3'].map((k) => loader.load(k)));
    expect(s1.map((r) => r.n)).toEqual([1, 2]);
    expect(s2.map((r) => r.n)).toEqual([3]);
    expect(s3).toEqual([]);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
