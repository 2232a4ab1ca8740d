import { EventEmitter } from 'node:events';
import { createResponseCache } from './responseCache';

const list = JSON.stringify({ query: '{ shops(area: MAPO) { edges { node { id } } } }', variables: {} });
const answer = '{"data":{"shops":{"edges":[]}}}';
const options = { ttlMs: 60_000, schemaHash: 'v1' };

describe('response cache', () => {
  it('answers a shared operation from cache after the first answer, by its body alone', () => {
    const cache = createResponseCache(null, options)!;
    expect(cache.lookup(list)).toBeNull();
    cache.store(list, false, 200, answer, 'List');
    expect(cache.lookup(list)).toEqual({ bytes: Buffer.from(answer), operation: 'List' });
  });

  it('never keeps answers with errors, or made under another supergraph', () => {
    const cache = createResponseCache(null, options)!;
    const other = JSON.stringify({ query: '{ shop(id: "x") { id } }' });
    cache.store(other, true, 200, '{"errors":[{"message":"no"}],"data":null}', 'Op');
    expect(cache.lookup(other)).toBeNull();
    cache.store(list, false, 500, answer, 'Op');
    expect(cache.lookup(list)).toBeNull();
    cache.store(list, false, 200, answer, 'Op');
    // The same body under a new schema is a different answer.
    const changed = createResponseCache(null, { ...options, schemaHash: 'v2' })!;
    expect(changed.lookup(list)).toBeNull();
  });

  it('makes concurrent misses wait for the first answer instead of computing it again', async () => {
    const cache = createResponseCache(null, options)!;
    expect(cache.join(list)).toBeNull(); // the first request computes
    const second = cache.join(list);
    const third = cache.join(list);
    expect(second).toBeInstanceOf(Promise);
    cache.store(list, false, 200, answer, 'Op');
    expect(String((await second)?.bytes)).toBe(answer);
    expect(String((await third)?.bytes)).toBe(answer);
  });

  it('empties lists on a listings announcement and everything on a documents one', () => {
    const announcements = new EventEmitter() as EventEmitter & { subscribe(): Promise<void> };
    announcements.subscribe = async () => {};
    const cache = createResponseCache(announcements as never, options)!;
    const detail = JSON.stringify({
      query: 'query D($id: ID!) { shop(id: $id) { id name } }',
      variables: { id: 's1' },
    });
    const home = JSON.stringify({ query: '{ home(area: MAPO) { categories { shopCount } } }' });
    cache.store(detail, true, 200, answer, 'Op');
    for (const body of [home, list]) cache.store(body, false, 200, answer, 'Op');

    announcements.emit('message', 'channel', 'listings');
    expect(String(cache.lookup(detail)?.bytes)).toBe(answer);
    for (const body of [home, list]) expect(cache.lookup(body)).toBeNull();

    for (const body of [home, list]) cache.store(body, false, 200, answer, 'Op');
    announcements.emit('message', 'channel', 'documents');
    for (const body of [detail, home, list]) expect(cache.lookup(body)).toBeNull();
  });

  it('is off with a zero time to live', () => {
    expect(createResponseCache(null, { ...options, ttlMs: 0 })).toBeUndefined();
  });
});
