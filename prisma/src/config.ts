import { bool, defineSettings } from '@baedal/platform';

export const prismaConfig = defineSettings({
  // Each query event costs about 40 µs of CPU (it formats the statement and its parameters): off unless a
  // test counts queries (the entity-batching suite).
  BAEDAL_PRISMA_QUERY_EVENTS: bool(false, 'every Prisma client emits query events'),
});
