import { bool, defineSettings, int } from '@baedal/platform';

export const ordersConfig = defineSettings({
  ORDERS_AUTO_APPROVE_PAYMENT: bool(
    false,
    'a development switch: true places orders straight away, without payOrder (orders wait for payment.approved otherwise)',
  ),
  BAEDAL_RIDER_DELAY_MS: int(1000, "the simulated rider's time per delivery step", 0),
});
