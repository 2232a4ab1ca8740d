import type { DeclaredConsumer } from './domainWorker';
import type { Routes } from './envelope';
import { routeMismatches } from './routes';

interface Events {
  'shop.updated': unknown;
  'order.placed': unknown;
  'order.delivered': unknown;
}
const routes: Routes<Events> = {
  'shop.updated': ['shops', 'orders'],
  'order.placed': ['shops'],
  'order.delivered': [],
};
const consumer = (name: string, handles: string[]): DeclaredConsumer => ({
  consumer: name,
  oneEventPerJob: false,
  handles,
  start: () => {
    throw new Error('not started in this test');
  },
});

describe('routes and declared consumers', () => {
  it('agree when every routed type has its handler and every handler its route', () => {
    const consumers = [consumer('shops', ['shop.updated', 'order.placed']), consumer('orders', ['shop.updated'])];
    expect(routeMismatches(routes, consumers)).toEqual([]);
  });

  it('name a routed type without a handler, a handler without a route, and a queue no one consumes', () => {
    const consumers = [consumer('shops', ['shop.updated', 'order.delivered'])];
    expect(routeMismatches(routes, consumers)).toEqual([
      'shop.updated is routed to orders, which no domain declares',
      'order.placed is routed to shops, which has no handler for it',
      'shops handles order.delivered, which is not routed to it',
    ]);
  });
});
