import os from 'node:os';
import { defineSettings, int } from '@baedal/platform';

export const shopsConfig = defineSettings({
  SHOPS_PROCESSES: int(
    () => os.availableParallelism(),
    'processes of the shops subgraph (it serves every customer read)',
    1,
  ),
  BAEDAL_SIGN_IN_FAILURES: int(10, 'failed sign-ins an email may have in the window before it must wait', 1),
  BAEDAL_SIGN_IN_WINDOW_SECONDS: int(900, 'the window failed sign-ins are counted in', 1),
});
