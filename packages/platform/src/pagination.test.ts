import { connectionOf, decodeCursor } from './pagination';

describe('connectionOf', () => {
  it('makes a page of the rows fetched one past it, each with the cursor of its key', () => {
    const page = connectionOf([{ id: 'a' }, { id: 'b' }, { id: 'c' }], 2, (row) => [row.id]);
    expect(page.edges.map((e) => e.node.id)).toEqual(['a', 'b']);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[1].cursor });
    expect(decodeCursor(page.pageInfo.endCursor, 1)).toEqual(['b']);
    expect(connectionOf([{ id: 'a' }], 2, (row) => [row.id]).pageInfo.hasNextPage).toBe(false);
    expect(connectionOf([], 2, () => []).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
