import { gatewayConfig } from './config';
import { guardSettings } from './resilience';

describe('guardSettings', () => {
  it('gives mutations a longer timeout than reads, never a shorter one', () => {
    const settings = gatewayConfig.read({});
    expect(guardSettings('orders', settings)).toMatchObject({ timeoutMs: 1000, mutationTimeoutMs: 5000 });
    expect(guardSettings('payments', settings)).toMatchObject({ timeoutMs: 6000, mutationTimeoutMs: 6000 });
  });

  it('reads both timeouts for all subgraphs or for one', () => {
    const settings = gatewayConfig.read({ SUBGRAPH_TIMEOUT_MS: '500', ORDERS_MUTATION_TIMEOUT_MS: '2500' });
    expect(guardSettings('orders', settings)).toMatchObject({ timeoutMs: 500, mutationTimeoutMs: 2500 });
    expect(guardSettings('shops', settings)).toMatchObject({ timeoutMs: 500, mutationTimeoutMs: 5000 });
  });
});
