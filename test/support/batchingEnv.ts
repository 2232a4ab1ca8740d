import { testEnv } from './stack';

/*
 * The entity-batching suite runs subgraphs in its own process, and every
 * process reads its settings once (config.ts): so its environment is set
 * before anything else loads. Prisma emits query events only when asked:
 * they are how the suite counts queries.
 */
export const env = testEnv('batching', 14200);
Object.assign(process.env, env, { BAEDAL_PRISMA_QUERY_EVENTS: '1' });
