import { bool, defineSettings, int } from '@baedal/platform';

export const ordersConfig = defineSettings({
  ORDERS_AUTO_APPROVE_PAYMENT: bool(
    false,
    'a development switch: true places orders straight away, without payOrder (orders wait for payment.approved otherwise)',
  ),
  BAEDAL_RIDER_DELAY_MS: int(1000, "the simulated rider's time per delivery step", 0),
  ORDERS_PAYMENT_WINDOW_MS: int(15 * 60_000, 'an order not paid this long after it was placed expires', 1000),
  ORDERS_ACCEPT_WINDOW_MS: int(
    10 * 60_000,
    'a paid order the shop has not accepted this long is rejected, refunded',
    1000,
  ),
  BAEDAL_REALTIME_REPLAY_MS: int(
    15 * 60_000,
    'how long the live order feed keeps events for a client that reconnects with `after`',
    1000,
  ),
  ORDERS_EXPIRY_SWEEP_MS: int(30_000, 'how often the workers look for orders to expire (once per cluster)', 100),
});
