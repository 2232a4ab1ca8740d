import type { createPaymentsClient } from '@baedal/prisma/payments';
import { eventually } from '../../support/stack';
import { results } from '../load';
import { CONNECTIONS, log, WARMUP } from '../options';
import type { References } from '../references';
import type { Commands } from './commands';

/*
 * The coupon burst: each target claims a campaign of its own (stock 1,000),
 * after a warm-up burst on another campaign for the warm-up's seconds; (a)
 * answers one recorded claim. Every campaign claimed through a gateway must
 * end with exactly its stock persisted.
 */
export async function measureCoupons(
  gateway: string,
  references: References,
  { burst, createCampaign }: Commands,
  paymentsDb: ReturnType<typeof createPaymentsClient>,
): Promise<void> {
  const campaigns: string[] = [];
  for (const [target, url] of [...references.list, ['Baedal', gateway]]) {
    // (a) answers by the operation's text, so it needs no campaign.
    const campaign = (name: string) =>
      url === references.bare ? Promise.resolve(name) : createCampaign(`bench ${target} ${name}`, 1000);
    await burst(url, await campaign('warm-up'), WARMUP);
    const campaignId = await campaign('measured');
    if (url !== references.bare) campaigns.push(campaignId);
    const m = await burst(url, campaignId);
    const { rps, p50, p99, errors, cpu } = m;
    const note = `${m.count.toLocaleString('en-US')} claims by 10,000 customers, stock 1,000, ${CONNECTIONS} at a time`;
    results.push({ scenario: 'claimCoupon burst', target, rps, p50, p99, errors, note, cpu });
    log(`burst / ${target}: ${m.rps} req/s, ${m.count} claims, errors ${m.errors}`);
  }
  for (const campaignId of campaigns) {
    await eventually(
      'claims persisted',
      async () => (await paymentsDb.couponClaim.count({ where: { campaignId } })) === 1000,
      60_000,
      500,
    );
  }
  log(`burst: exactly 1000 claims persisted for each campaign claimed through a gateway`);
}
