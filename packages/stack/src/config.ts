import { defineSettings, int } from '@baedal/platform';

export const stackConfig = defineSettings({
  BAEDAL_SEED_SHOPS: int(2000, 'shops `npm start` seeds into empty databases', 0),
});
