import type { EventPayloads } from '@baedal/contracts';
import { consumersOf, type DomainWorker } from '@baedal/events';
import { expireOrders } from './commands';
import { ordersConfig } from './config';
import { db, sql } from './db';
import { liveFeed, replica, riderSimulator } from './events';
import { closeOrderFeed } from './realtime';

const declareConsumer = consumersOf<EventPayloads>();

/**
 * What the workers process runs of orders: the "orders" consumer (the replica
 * of shops and menus, and payment outcomes) and the rider simulator
 * ("delivery"), both in driver transactions on the subgraph's own pool;
 * and, once per cluster, the sweep that expires unpaid orders and rejects
 * those no shop accepted (commands/expireOrders.ts).
 */
export function ordersWorker(): DomainWorker {
  return {
    consumers: [
      // Set-based: a batch of 64 costs little more than one of 16 (docs/performance.md, P29).
      declareConsumer({
        consumer: 'orders',
        handlers: replica,
        transaction: (work) => sql.$transaction(work),
        batch: 64,
      }),
      // Each event alone, side by side: the rider waits on purpose, and a batch would wait for each rider in turn.
      declareConsumer({
        consumer: 'delivery',
        handlers: riderSimulator,
        transaction: (work) => sql.$transaction(work),
        oneEventPerJob: true,
      }),
      // One job at a time, so the feed has each order's steps in the order they were published.
      declareConsumer({
        consumer: 'realtime',
        handlers: liveFeed,
        transaction: (work) => sql.$transaction(work),
        batch: 64,
        concurrency: 1,
      }),
    ],
    periodic: [
      {
        name: 'order-expiry',
        everyMs: ordersConfig().ORDERS_EXPIRY_SWEEP_MS,
        run: async (log) => {
          const { expired, rejected } = await expireOrders();
          if (expired || rejected) log.info({ expired, rejected }, 'orders expired or rejected for want of action');
          return null;
        },
      },
    ],
    close: async () => {
      await closeOrderFeed();
      await db.$disconnect();
    },
  };
}
