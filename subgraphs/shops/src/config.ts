import os from 'node:os';
import { defineSettings, int } from '@baedal/platform';

export const shopsConfig = defineSettings({
  SHOPS_PROCESSES: int(
    () => os.availableParallelism(),
    'processes of the shops subgraph (it serves every customer read)',
    1,
  ),
});
