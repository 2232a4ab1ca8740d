import { withStaleMarker } from './fallbackCache';

describe('withStaleMarker', () => {
  const stale = new Map([['shops', 12]]);
  const marker = { stale: { subgraphs: [{ name: 'shops', ageSeconds: 12 }] } };

  it('adds extensions.stale to a kept answer and keeps the rest as it was', () => {
    const kept = '{"data":{"shop":{"id":"s1","name":"Kimbap {Heaven}","tags":["a","b"]}}}\n';
    expect(JSON.parse(withStaleMarker(kept, stale))).toEqual({
      data: { shop: { id: 's1', name: 'Kimbap {Heaven}', tags: ['a', 'b'] } },
      extensions: marker,
    });
  });

  it('merges with extensions the kept answer has', () => {
    const kept = JSON.stringify({ data: { shop: null }, extensions: { traceId: 't1' } });
    expect(JSON.parse(withStaleMarker(kept, stale))).toEqual({
      data: { shop: null },
      extensions: { traceId: 't1', ...marker },
    });
  });

  it('is not misled by "extensions" inside a value, or nested deeper', () => {
    const quoted = JSON.stringify({ data: { shop: { description: 'see "extensions" here' } } });
    expect(JSON.parse(withStaleMarker(quoted, stale))).toEqual({
      data: { shop: { description: 'see "extensions" here' } },
      extensions: marker,
    });
    const nested = JSON.stringify({ data: { shop: { extensions: { a: 1 } } } });
    expect(JSON.parse(withStaleMarker(nested, stale))).toEqual({
      data: { shop: { extensions: { a: 1 } } },
      extensions: marker,
    });
  });

  it('marks an empty answer too', () => {
    expect(JSON.parse(withStaleMarker('{}', stale))).toEqual({ extensions: marker });
  });
});
