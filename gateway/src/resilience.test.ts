import { gatewayConfig, subgraphSettingsSpec } from './config';
import { answerFailure, guardSettings } from './resilience';
import { readSettings } from '@baedal/platform';

const own = (env: Record<string, string>, ...subgraphs: string[]) =>
  readSettings(subgraphSettingsSpec(subgraphs), env) as Record<string, number | string | undefined>;

describe('guardSettings', () => {
  it('gives mutations a longer timeout than reads, never a shorter one', () => {
    const settings = gatewayConfig.read({});
    expect(guardSettings('orders', own({}, 'orders'), settings)).toMatchObject({
      timeoutMs: 1000,
      mutationTimeoutMs: 5000,
    });
    expect(guardSettings('payments', own({ PAYMENTS_TIMEOUT_MS: '6000' }, 'payments'), settings)).toMatchObject({
      timeoutMs: 6000,
      mutationTimeoutMs: 6000,
    });
  });

  it('reads both timeouts for all subgraphs or for one, whatever the subgraph is called', () => {
    const settings = gatewayConfig.read({ SUBGRAPH_TIMEOUT_MS: '500' });
    const env = { ORDERS_MUTATION_TIMEOUT_MS: '2500', SHOP_LIST_TIMEOUT_MS: '700' };
    expect(guardSettings('orders', own(env, 'orders'), settings)).toMatchObject({
      timeoutMs: 500,
      mutationTimeoutMs: 2500,
    });
    expect(guardSettings('shops', own(env, 'shops'), settings)).toMatchObject({
      timeoutMs: 500,
      mutationTimeoutMs: 5000,
    });
    expect(guardSettings('shop-list', own(env, 'shop-list'), settings)).toMatchObject({ timeoutMs: 700 });
  });
});

describe('answerFailure', () => {
  const allowed = new Set(['NOT_FOUND', 'COUPON_SOLD_OUT']);
  const answer = (...codes: (string | undefined)[]) => codes.map((code) => ({ extensions: code ? { code } : {} }));

  it('takes data and domain answers as good', () => {
    expect(answerFailure('shops', undefined, allowed)).toBeNull();
    expect(answerFailure('shops', [], allowed)).toBeNull();
    expect(answerFailure('shops', answer('NOT_FOUND', 'COUPON_SOLD_OUT'), allowed)).toBeNull();
  });

  it('counts every other error as a failure, whatever its code or none', () => {
    for (const code of ['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'P1001', 'ECONNREFUSED', undefined]) {
      expect(answerFailure('shops', answer('NOT_FOUND', code), allowed)).toMatchObject({
        subgraph: 'shops',
        kind: 'failed_answer',
      });
    }
  });
});
