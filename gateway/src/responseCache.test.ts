import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { createResponseCache } from './responseCache';

const anonymous = { headers: {} } as http.IncomingMessage;
const signedIn = { headers: { authorization: 'Bearer x' } } as unknown as http.IncomingMessage;
const list = JSON.stringify({ query: '{ shops(area: MAPO) { edges { node { id } } } }', variables: {} });
const mine = JSON.stringify({ query: '{ myOrders { id } }' });
const answer = '{"data":{"shops":{"edges":[]}}}';

describe('response cache', () => {
  it('answers a public anonymous read from cache after the first answer', async () => {
    const cache = createResponseCache(null, 60_000)!;
    expect(cache.lookup(anonymous, list)).toBeNull();
    cache.store(anonymous, list, 200, answer);
    expect(String(await cache.lookup(anonymous, list))).toBe(answer);
  });

  it('never caches for signed-in callers, private fields, errors', async () => {
    const cache = createResponseCache(null, 60_000)!;
    cache.store(signedIn, list, 200, answer);
    expect(cache.lookup(signedIn, list)).toBeNull();
    cache.store(anonymous, mine, 200, '{"data":{"myOrders":[]}}');
    expect(cache.lookup(anonymous, mine)).toBeNull();
    const other = JSON.stringify({ query: '{ shop(id: "x") { id } }' });
    expect(cache.lookup(anonymous, other)).toBeNull();
    cache.store(anonymous, other, 200, '{"errors":[{"message":"no"}],"data":null}');
    expect(cache.lookup(anonymous, other)).toBeNull();
  });

  it('makes concurrent misses wait for the first answer instead of computing it again', async () => {
    const cache = createResponseCache(null, 60_000)!;
    expect(cache.lookup(anonymous, list)).toBeNull(); // the first request computes
    const second = cache.lookup(anonymous, list);
    const third = cache.lookup(anonymous, list);
    expect(second).toBeInstanceOf(Promise);
    cache.store(anonymous, list, 200, answer);
    expect(String(await second)).toBe(answer);
    expect(String(await third)).toBe(answer);
  });

  it('empties lists on a listings announcement and everything on a documents one', async () => {
    const announcements = new EventEmitter() as EventEmitter & { subscribe(): Promise<void> };
    announcements.subscribe = async () => {};
    const cache = createResponseCache(announcements as never, 60_000)!;
    const detail = JSON.stringify({
      query: 'query D($id: ID!) { shop(id: $id) { id name } }',
      variables: { id: 's1' },
    });
    const home = JSON.stringify({ query: '{ home(area: MAPO) { categories { shopCount } } }' });
    const both = JSON.stringify({ query: '{ shop(id: "s1") { id } shops(area: MAPO) { edges { cursor } } }' });
    for (const body of [detail, home, list, both]) cache.store(anonymous, body, 200, answer);

    announcements.emit('message', 'channel', 'listings');
    expect(String(await cache.lookup(anonymous, detail))).toBe(answer);
    for (const body of [home, list, both]) expect(cache.lookup(anonymous, body)).toBeNull();

    for (const body of [home, list, both]) cache.store(anonymous, body, 200, answer);
    announcements.emit('message', 'channel', 'documents');
    for (const body of [detail, home, list, both]) expect(cache.lookup(anonymous, body)).toBeNull();
  });

  it('is off with a zero time to live', () => {
    expect(createResponseCache(null, 0)).toBeUndefined();
  });
});
