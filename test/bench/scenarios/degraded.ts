import type { ProcessName, Stack } from '@baedal/stack';
import { measure, type Body, type Measure } from '../load';
import type { References } from '../references';

/* Shop list and detail with the shops subgraph stopped: (a) answers as before, (b) has no copy to fall back on. */
export async function measureDegraded(
  stack: Stack,
  gateway: string,
  sets: [string, Body[]][],
  references: References,
  healthy: Record<string, Measure>,
  profiled: (name: ProcessName) => string[],
): Promise<void> {
  await stack.stop('shops');
  for (const [scenario, bodies] of sets.filter(([s]) => s === 'shop list' || s === 'shop detail')) {
    for (const [target, url] of references.list) await measure(`${scenario} (shops down)`, target, url, bodies);
    const m = await measure(`${scenario} (shops down)`, 'Baedal', gateway, bodies);
    if (healthy[scenario]) m.note = `${Math.round((100 * m.rps) / healthy[scenario].rps)}% of healthy`;
  }
  await stack.restart('shops', {}, profiled('shops'));
}
