import { defineSettings, int, listOf } from '@baedal/platform';

export const workersConfig = defineSettings({
  BAEDAL_WORKERS_ROLES: listOf(
    ['relays', 'consumers'],
    ['relays', 'consumers'],
    'which halves the workers run (tests hold events between the two)',
  ),
  WORKERS_PROCESSES: int(1, 'copies of the workers process; they split every queue (docs/performance.md, P34)', 1),
  // 50 and 10: docs/performance.md, P32.
  BAEDAL_RELAY_INTERVAL_MS: int(
    50,
    'a relay round at most this often while events keep coming (0: every notification)',
    0,
  ),
  BAEDAL_CONSUMER_LINGER_MS: int(10, 'a quiet consumer waits this long to gather a burst (0: at once)', 0),
  WORKERS_NICE: int(-5, "the workers' CPU priority, above the request-serving processes' 0", -20, 19),
});
