import { guardSettings } from './resilience';

describe('guardSettings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('gives mutations a longer timeout than reads, never a shorter one', () => {
    delete process.env.SUBGRAPH_TIMEOUT_MS;
    delete process.env.SUBGRAPH_MUTATION_TIMEOUT_MS;
    expect(guardSettings('orders')).toMatchObject({ timeoutMs: 1000, mutationTimeoutMs: 5000 });
    expect(guardSettings('payments')).toMatchObject({ timeoutMs: 6000, mutationTimeoutMs: 6000 });
  });

  it('reads both timeouts for all subgraphs or for one', () => {
    process.env.SUBGRAPH_TIMEOUT_MS = '500';
    process.env.ORDERS_MUTATION_TIMEOUT_MS = '2500';
    expect(guardSettings('orders')).toMatchObject({ timeoutMs: 500, mutationTimeoutMs: 2500 });
    expect(guardSettings('shops')).toMatchObject({ timeoutMs: 500, mutationTimeoutMs: 5000 });
  });
});
