import Redis from 'ioredis';
import type { EventEnvelope, OrderEventType, OrderStatus } from '@baedal/contracts';
import { badInput, DomainError, redisPrefix, redisUrl } from '@baedal/platform';
import { ordersConfig } from './config';

/*
 * The live order feed: one Redis stream that the "realtime" consumer (in the
 * workers, fed by the order events' queue like every other consumer) appends
 * each order event to, once, and that every orders process reads, delivering
 * to its own subscriptions (docs/realtime.md). A stream entry's id is the
 * event's cursor: ordered, and where a reconnecting client resumes. The
 * stream keeps BAEDAL_REALTIME_REPLAY_MS of events; older cursors are refused.
 */

/** An order event as the feed carries it: what a live screen shows of one step. */
export interface OrderFeedEvent {
  cursor: string;
  eventId: string;
  type: OrderEventType;
  version: number;
  orderId: string;
  shopId: string;
  customerId: string;
  shopOwnerId: string;
  status: OrderStatus;
  estimatedCookingMinutes: number | null;
  occurredAt: string;
}

const streamKey = () => `${redisPrefix()}:realtime:orders`;

// Appends an event unless it was appended within the window (a redelivery), and trims what is past it.
const APPEND = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[2], '*', 'event', ARGV[3])
`;

type FeedRedis = Redis & {
  appendOrderEvent(
    stream: string,
    seen: string,
    windowMs: string,
    minId: string,
    event: string,
  ): Promise<string | null>;
};

let publisher: FeedRedis | null = null;

/** The "realtime" consumer's handler: appends each order event to the feed, in the order given, once. */
export async function publishOrderEvents(events: EventEnvelope<OrderEventType>[]): Promise<void> {
  if (!publisher) {
    publisher = new Redis(redisUrl(), { maxRetriesPerRequest: 2 }) as FeedRedis;
    publisher.defineCommand('appendOrderEvent', { numberOfKeys: 2, lua: APPEND });
  }
  const windowMs = ordersConfig().BAEDAL_REALTIME_REPLAY_MS;
  for (const e of events) {
    const event: Omit<OrderFeedEvent, 'cursor'> = {
      eventId: e.id,
      type: e.type,
      version: e.version,
      orderId: e.payload.orderId,
      shopId: e.payload.shopId,
      customerId: e.payload.customerId,
      shopOwnerId: e.payload.shopOwnerId,
      status: e.payload.status,
      estimatedCookingMinutes: e.payload.estimatedCookingMinutes ?? null,
      occurredAt: e.occurredAt,
    };
    await publisher.appendOrderEvent(
      streamKey(),
      `${redisPrefix()}:realtime:seen:${e.id}`,
      String(windowMs),
      `${Date.now() - windowMs}-0`,
      JSON.stringify(event),
    );
  }
}

export async function closeOrderFeed(): Promise<void> {
  publisher?.disconnect();
  publisher = null;
  await feed?.close();
  feed = null;
}

type StreamEntry = [id: string, fields: string[]];
const toEvent = ([id, fields]: StreamEntry): OrderFeedEvent => ({
  ...(JSON.parse(fields[1]) as Omit<OrderFeedEvent, 'cursor'>),
  cursor: id,
});

/** Stream ids in order: milliseconds, then sequence. */
function compareCursors(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am - bm || as - bs;
}

type Listener = (event: OrderFeedEvent) => void;

/** What a subscription follows: some shops' orders, or one order. */
export type FeedScope = { shopIds: ReadonlySet<string> } | { orderId: string };

// An event is handed only to the listeners of its shop and of its order, so its cost does not grow with every
// subscription the process holds.
const topicsOf = (event: OrderFeedEvent) => [`shop:${event.shopId}`, `order:${event.orderId}`];
const topicsIn = (scope: FeedScope) =>
  'orderId' in scope ? [`order:${scope.orderId}`] : [...scope.shopIds].map((id) => `shop:${id}`);

/** Most events a subscription may have waiting: one that falls further behind is ended, to resume with `after`. */
const MOST_WAITING = 1000;

/** One process's reader of the feed: a blocking read loop, handing each new event to every listener. */
class OrderFeed {
  // The blocking read holds its connection; replays take the other.
  private readonly redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  private readonly replays = new Redis(redisUrl(), { maxRetriesPerRequest: 2 });
  private readonly listeners = new Map<string, Set<Listener>>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor() {
    // They reconnect by themselves; the loop waits meanwhile, and a replay fails its subscription.
    for (const redis of [this.redis, this.replays]) redis.on('error', () => {});
    this.loop = this.read();
  }

  private async read(): Promise<void> {
    // From the newest entry now, so an event appended before the first read is not missed.
    let last = '';
    while (this.running) {
      try {
        if (!last) last = (await this.redis.xrevrange(streamKey(), '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
        const answer = await this.redis.xread('COUNT', 500, 'BLOCK', 5000, 'STREAMS', streamKey(), last);
        for (const entry of answer?.[0][1] ?? []) {
          last = entry[0];
          const event = toEvent(entry);
          for (const topic of topicsOf(event)) for (const listener of this.listeners.get(topic) ?? []) listener(event);
        }
      } catch {
        if (this.running) await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** The events after `cursor`, oldest first. */
  async since(cursor: string): Promise<OrderFeedEvent[]> {
    const events: OrderFeedEvent[] = [];
    let from = `(${cursor}`;
    for (;;) {
      const entries = (await this.replays.xrange(streamKey(), from, '+', 'COUNT', 1000)) as StreamEntry[];
      events.push(...entries.map(toEvent));
      if (entries.length < 1000) return events;
      from = `(${entries[entries.length - 1][0]}`;
    }
  }

  /**
   * The events of `scope` that `wanted` picks, from just after `after` (or
   * from now), as they come: each once and in the feed's order, the replayed
   * ones first.
   */
  async *follow(
    scope: FeedScope,
    wanted: (event: OrderFeedEvent) => boolean,
    after: string | null,
  ): AsyncGenerator<OrderFeedEvent> {
    const waiting: OrderFeedEvent[] = [];
    let wake: (() => void) | null = null;
    let overflowed = false;
    const listener: Listener = (event) => {
      if (!wanted(event)) return;
      if (waiting.length >= MOST_WAITING) overflowed = true;
      else waiting.push(event);
      wake?.();
    };
    const topics = topicsIn(scope);
    for (const topic of topics) {
      let listeners = this.listeners.get(topic);
      if (!listeners) this.listeners.set(topic, (listeners = new Set()));
      listeners.add(listener);
    }
    try {
      let last = after;
      if (after) {
        const followed = new Set(topics);
        for (const event of await this.since(after)) {
          last = event.cursor;
          if (topicsOf(event).some((topic) => followed.has(topic)) && wanted(event)) yield event;
        }
      }
      for (;;) {
        if (overflowed) {
          throw new DomainError('SUBSCRIBER_TOO_SLOW', 'Events came faster than they were taken; resume with `after`', {
            after: last,
          });
        }
        const event = waiting.shift();
        if (event) {
          if (last && compareCursors(event.cursor, last) <= 0) continue; // already replayed
          last = event.cursor;
          yield event;
        } else await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      for (const topic of topics) {
        const listeners = this.listeners.get(topic);
        listeners?.delete(listener);
        if (listeners?.size === 0) this.listeners.delete(topic);
      }
    }
  }

  async close(): Promise<void> {
    this.running = false;
    this.redis.disconnect();
    this.replays.disconnect();
    await this.loop;
  }
}

let feed: OrderFeed | null = null;

/** A cursor to resume after: well-formed, and within the replay window (else the client reads the order again). */
export function checkCursor(after: string | null | undefined): string | null {
  if (after === null || after === undefined) return null;
  if (!/^\d{1,15}-\d{1,10}$/.test(after)) throw badInput('after', '`after` must be a cursor from an earlier event');
  const windowMs = ordersConfig().BAEDAL_REALTIME_REPLAY_MS;
  if (Number(after.split('-')[0]) < Date.now() - windowMs) {
    throw new DomainError(
      'CURSOR_EXPIRED',
      `This cursor is older than the ${windowMs / 1000} s kept; read the orders again`,
      {
        field: 'after',
      },
    );
  }
  return after;
}

/** Follows `scope` in the feed of this process (its reader starts with the first subscription). */
export function followOrderFeed(
  scope: FeedScope,
  wanted: (event: OrderFeedEvent) => boolean,
  after: string | null,
): AsyncGenerator<OrderFeedEvent> {
  feed ??= new OrderFeed();
  return feed.follow(scope, wanted, after);
}
