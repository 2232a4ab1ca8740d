// First, so tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) sees every module it instruments load.
import '@baedal/platform/tracing';
import os from 'node:os';
import Redis from 'ioredis';
import { Worker } from 'bullmq';
import { ROUTES } from '@baedal/contracts';
import { observeOutboxes, observeQueues, OutboxRelay, routeMismatches } from '@baedal/events';
import {
  SERVICES,
  closeServer,
  createHttpServer,
  createLogger,
  databaseUrl,
  forkPerCore,
  isProduction,
  listen,
  metricsRoute,
  notFoundRoute,
  port,
  redisPrefix,
  refuseUnfitSettings,
  redisUrl,
  sendJson,
  stopOnSignals,
  type Route,
} from '@baedal/platform';
import { queryModelAnnouncer } from './announcer';
import { startRetention } from './retention';
import { takeTurn } from './clock';
import { workersConfig } from './config';
import { DASHBOARD_PATH, queueDashboard } from './dashboard';
import { domainWorkers } from './domains';

/*
 * The workers process: one outbox relay per service database, and the
 * consumers that carry events into each domain, each on its own queue, as
 * each domain declares them in its worker entry. BAEDAL_WORKERS_ROLES=relays
 * or =consumers runs only one half (tests use it to hold events between the
 * two). WORKERS_PROCESSES copies run side by side (one unless set): one relay
 * per database leads (an advisory lock) while the others stand by, and
 * consumers share their queues, so copies split the work.
 */

const log = createLogger('workers');

/**
 * What the queues' Redis must be: never evicting (an evicted job is a lost
 * event) and, in production, writing every change to its append-only file
 * before answering (appendfsync always), so a coupon claim or an event
 * answered before Redis died is not lost with it (docs/events.md, "Coupons
 * and Redis"). Logs an error for each setting that falls short; a Redis that
 * hides its CONFIG (some managed ones) is taken on trust, with a warning.
 */
export async function checkRedisDurability(redis: Redis, production: boolean): Promise<string[]> {
  let settings: Record<string, string>;
  try {
    const read = async (name: string) => ((await redis.config('GET', name)) as string[])[1];
    settings = {
      'maxmemory-policy': await read('maxmemory-policy'),
      appendonly: await read('appendonly'),
      appendfsync: await read('appendfsync'),
    };
  } catch (error) {
    log.warn(
      { err: error },
      "cannot read Redis's CONFIG: make sure it is noeviction, appendonly yes, appendfsync always",
    );
    return [];
  }
  const wanted: Record<string, string> = production
    ? { 'maxmemory-policy': 'noeviction', appendonly: 'yes', appendfsync: 'always' }
    : { 'maxmemory-policy': 'noeviction' };
  const short = Object.keys(wanted).filter((name) => settings[name] !== wanted[name]);
  for (const name of short)
    log.error({ [name]: settings[name] }, `REDIS ${name} is "${settings[name]}"; the queues need "${wanted[name]}"`);
  return short;
}

/*
 * Events move orders on (a paid order is PLACED only once orders applies payment.approved) and keep
 * the customer query model fresh, so when requests fill the machine the workers must not be the
 * ones that wait: they run at a higher CPU priority than the request-serving processes (nice -5,
 * about three times their weight; docs/performance.md, P35). Lowering a nice value needs the privilege
 * to (root, CAP_SYS_NICE); without it the workers run at the priority they were given.
 */
function takePriority(): void {
  const nice = workersConfig().WORKERS_NICE;
  try {
    os.setPriority(nice);
  } catch (error) {
    log.warn({ err: error, nice }, "cannot raise the workers' CPU priority; running at the one given");
  }
}

async function main(): Promise<void> {
  const settings = workersConfig();
  const prefix = redisPrefix();
  // Workers block on their connection and must retry forever; the relays must fail fast instead, so a
  // Redis outage rolls their batch back rather than holding outbox rows locked.
  const workerRedis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const relayRedis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  for (const redis of [workerRedis, relayRedis]) redis.on('error', (error) => log.warn({ err: error }, 'redis error'));
  await checkRedisDurability(workerRedis, isProduction());

  const domains = domainWorkers();
  const declared = domains.all.flatMap((domain) => domain.consumers);
  // The routes (contracts) and the domains' handlers must agree, or an event would reach a queue no one
  // handles it on, or a handler would wait for an event never sent.
  const mismatches = routeMismatches(ROUTES, declared);
  if (mismatches.length)
    throw new Error(`the event routes and the declared consumers disagree: ${mismatches.join('; ')}`);
  const roles = settings.BAEDAL_WORKERS_ROLES;

  const relays = roles.includes('relays')
    ? SERVICES.map(
        (source) =>
          new OutboxRelay({
            source,
            databaseUrl: databaseUrl(source),
            redis: relayRedis,
            prefix,
            log,
            routes: ROUTES,
            oneEventPerJob: declared.filter((c) => c.oneEventPerJob).map((c) => c.consumer),
            minIntervalMs: settings.BAEDAL_RELAY_INTERVAL_MS,
          }),
      )
    : [];
  for (const relay of relays) await relay.start();

  const announcer = queryModelAnnouncer(relayRedis, log);
  const runtime = { connection: workerRedis, prefix, log, lingerMs: settings.BAEDAL_CONSUMER_LINGER_MS };
  const consumers: Worker[] = [];
  if (roles.includes('consumers')) {
    for (const consumer of declared) {
      const worker = consumer.start(runtime);
      const { announces } = consumer;
      if (announces) worker.on('completed', () => announcer.changed(announces));
      consumers.push(worker);
    }
    for (const jobs of domains.all.flatMap((domain) => domain.jobQueues ?? [])) {
      const options = { connection: workerRedis, prefix, concurrency: jobs.concurrency };
      consumers.push(new Worker(jobs.queue, (job) => jobs.process(job.data), options));
    }
  }

  // Jobs the clock drives run once per period across the workers processes (takeTurn).
  const timers = domains.all
    .flatMap((domain) => domain.periodic ?? [])
    .map((job) =>
      setInterval(() => {
        void takeTurn(relayRedis, `${prefix}:${job.name}`, job.everyMs).then((mine) => {
          if (!mine) return;
          job.run(log).then(
            (change) => change && announcer.changed(change),
            (error: unknown) => log.warn({ err: error, job: job.name }, 'periodic job failed'),
          );
        });
      }, job.everyMs),
    );

  // Every queue (each consumer's and each domain's job queues) and every outbox, in the metrics.
  const queueNames = [
    ...declared.map((c) => c.consumer),
    ...domains.all.flatMap((d) => (d.jobQueues ?? []).map((j) => j.queue)),
  ];
  // Both read on a connection that fails fast, so a scrape or a page answers while Redis is away.
  const queueMetrics = observeQueues(queueNames, relayRedis, prefix);
  const dashboard = queueDashboard(queueNames, relayRedis, prefix, log);
  observeOutboxes(relays);
  // The relays' side keeps what events leave behind pruned: it reaches every database and queue.
  const retention = roles.includes('relays') ? startRetention(relays, queueNames, relayRedis, prefix, log) : null;

  // /healthz answers once every relay and consumer has started (the stack waits for it); /metrics and the
  // queue dashboard (/queues) are served beside it.
  const status: Route = (_req, res) =>
    sendJson(res, 200, { status: 'ok', relays: relays.length, consumers: consumers.map((c) => c.name) });
  const health = createHttpServer({
    logger: log,
    routes: { '/healthz': status, '/readyz': status, '/metrics': metricsRoute },
    handle: (req, res, target) =>
      Promise.resolve(
        target.pathname.startsWith(DASHBOARD_PATH)
          ? dashboard.handle(req, res)
          : notFoundRoute(req, res, target.pathname),
      ),
  });
  await listen(health, port('workers'));
  log.info({ relays: relays.length, consumers: consumers.map((c) => c.name) }, 'workers started');
  stopOnSignals(log, async () => {
    for (const timer of timers) clearInterval(timer);
    await retention?.stop();
    announcer.stop();
    await closeServer(health);
    // Finish the jobs in hand, then stop taking new ones.
    await Promise.all(consumers.map((c) => c.close()));
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all([queueMetrics.close(), dashboard.close()]);
    await Promise.all(domains.all.map((domain) => domain.close()));
    workerRedis.disconnect();
    relayRedis.disconnect();
  });
}

// One copy by default, not one per core: copies split every queue, so each applies smaller batches
// (docs/performance.md, P34). More copies are for cores to spare, or a standby.
if (require.main === module) {
  refuseUnfitSettings([workersConfig]);
  takePriority(); // before forking: copies inherit it
  if (!forkPerCore(log, workersConfig().WORKERS_PROCESSES)) {
    main().catch((error: unknown) => {
      log.error({ err: error }, 'workers failed to start');
      process.exit(1);
    });
  }
}
