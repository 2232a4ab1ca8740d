import { defineSettings, int } from '@baedal/platform';

export const adsConfig = defineSettings({
  ADS_SETTLEMENT_MS: int(
    60_000,
    'how often the workers settle the ad contracts’ days begun (once per cluster; each day is posted once)',
    100,
  ),
  ADS_ULTRA_CALL_SLOTS: int(3, 'ULTRA_CALL placements of one category that may run in an area at once', 1),
});
