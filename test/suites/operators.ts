import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse as parseYaml } from 'yaml';
import { CONSUMERS } from '@baedal/contracts';
import { SERVICES } from '@baedal/platform';
import { REPO_ROOT } from '@baedal/stack';
import { launchBrowser, watchedPage } from '../support/browser';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { bearer, gatewayInternal, graphql, login } from '../support/graphql';
import { orderableShops, placeOrder } from '../support/orders';
import { eventually, type TestPlatform } from '../support/stack';

/*
 * What developers and operators open in a browser, in headless Chromium:
 * the playground, served whole by the gateway (nothing from outside), with
 * the README's samples and one-click demo sign-in in development; the queue
 * dashboard, behind an admin's sign-in, with a dead letter retried; and what
 * Prometheus scrapes from every process, which the dashboard and the alert
 * rules in docs/monitoring rely on.
 */

/** The value of one series in a scrape, or undefined. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The playground's one-click demo sign-in, as owner1: the token lands in the header editor. */
async function signInAsOwner1(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Show Demo sign-in' }).click({ timeout: 30_000 });
  await page.getByRole('button', { name: /owner1@baedal\.dev/ }).click();
  await page
    .getByRole('status')
    .getByText(/Signed in as owner1/)
    .waitFor({ timeout: 10_000 });
}

export function operatorsSuite(platform: () => TestPlatform): void {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 30_000);
  afterAll(() => browser?.close());

  describe('the playground', () => {
    const SHOP_LIST = '{ shops(area: GANGNAM, first: 3) { edges { node { name } } } }';

    it('loads from the gateway alone, runs a shop list and opens the docs for Shop', async () => {
      const { page, outside } = await watchedPage(browser);
      await page.goto(`${platform().gatewayUrl}?query=${encodeURIComponent(SHOP_LIST)}`);
      await page.locator('.graphiql-execute-button').click({ timeout: 30_000 });
      const response = page.locator('.graphiql-response');
      await response.getByText('"edges"').waitFor({ timeout: 10_000 });
      expect(await response.innerText()).toMatch(/"name":\s+"[^"]+"/);

      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      await page.locator('.graphiql-doc-explorer-search input').fill('Shop');
      await page.getByRole('option', { name: 'Shop', exact: true }).click();
      await expect(page.locator('.graphiql-doc-explorer-title').innerText()).resolves.toBe('Shop');
      await expect(page.locator('.graphiql-doc-explorer').innerText()).resolves.toMatch(/deliveryFee/);
      await page.close();
      expect(outside).toEqual([]);
    }, 60_000);

    it("opens with the README's samples, each a tab", async () => {
      const { page } = await watchedPage(browser);
      await page.goto(platform().gatewayUrl);
      const tabs = page.locator('.graphiql-tab');
      await tabs.first().waitFor({ timeout: 30_000 });
      expect(await tabs.allInnerTexts()).toEqual(expect.arrayContaining(['Home', 'MyShops', 'SignUp']));
      await page.close();
    }, 60_000);

    it('signs in as a demo owner in one click, and runs as that owner', async () => {
      const { page, outside } = await watchedPage(browser);
      await page.goto(`${platform().gatewayUrl}?query=${encodeURIComponent('{ myShops { name } }')}`);
      await signInAsOwner1(page);
      await page.locator('.graphiql-execute-button').click();
      const response = page.locator('.graphiql-response');
      await response.getByText('"myShops"').waitFor({ timeout: 10_000 });
      expect(await response.innerText()).not.toMatch(/"errors"/);
      await page.close();
      expect(outside).toEqual([]);
    }, 60_000);

    it("follows an owner's orders live over graphql-ws, signed in with the header editor's token", async () => {
      const url = platform().gatewayUrl;
      const [owner, customer] = await Promise.all([
        login(url, 'owner1@baedal.dev'),
        login(url, 'customer2@baedal.dev'),
      ]);
      const shop = (await orderableShops(platform().databaseUrl('shops'))).find((s) => s.ownerId === owner.userId)!;
      const { page, outside } = await watchedPage(browser);
      await page.setViewportSize({ width: 1600, height: 900 });
      const subscription = 'subscription Ring { shopOrderEvents { type order { id } } }';
      await page.goto(`${url}?query=${encodeURIComponent(subscription)}`);
      await signInAsOwner1(page);
      // Subscribed once the server acknowledged the token and the subscribe message went out.
      const subscribed = new Promise<void>((resolve) =>
        page.on('websocket', (ws) =>
          ws.on('framesent', (frame) => String(frame.payload).includes('"subscribe"') && resolve()),
        ),
      );
      await page.locator('.graphiql-execute-button').click();
      await subscribed;
      await new Promise((resolve) => setTimeout(resolve, 300)); // the gateway opened it at orders
      const placed = await placeOrder(url, customer.token, shop);
      expect(placed.errors).toBeUndefined();
      const orderId = placed.data.placeOrder.id as string;
      // What a person reads: the response editor's rendered text (wide enough that an id is not wrapped).
      const response = page.locator('.graphiql-response');
      await eventually(
        'the order in the response',
        async () => (await response.innerText()).includes(orderId),
        10_000,
        50,
      );
      expect(await response.innerText()).toMatch(/"type":\s+"order\.placed"/);
      await page.close();
      expect(outside).toEqual([]);
    }, 60_000);
  });

  describe('metrics', () => {
    const scrape = async (url: string) => {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      return response.text();
    };
    const local = (process: 'workers' | (typeof SERVICES)[number]) =>
      `http://127.0.0.1:${platform().stack.port(process)}/metrics`;
    const gateway = () => gatewayInternal(platform().gatewayUrl, '/metrics');

    it('count requests, errors and duration per operation name, at the gateway and at each subgraph', async () => {
      const url = platform().gatewayUrl;
      for (let i = 0; i < 2; i++)
        expect(
          (await graphql(url, 'query OperatorsProbe { shops(area: MAPO, first: 1) { edges { node { id } } } }')).errors,
        ).toBeUndefined();
      expect((await graphql(url, 'query OperatorsBroken { noSuchField }')).errors).toBeDefined();
      const text = await scrape(gateway());
      expect(
        valueOf(text, 'baedal_graphql_requests_total{operation="OperatorsProbe",outcome="ok"}'),
      ).toBeGreaterThanOrEqual(2);
      expect(valueOf(text, 'baedal_graphql_requests_total{operation="OperatorsBroken",outcome="error"}')).toBe(1);
      expect(
        valueOf(text, 'baedal_graphql_request_duration_seconds_count{operation="OperatorsProbe"}'),
      ).toBeGreaterThanOrEqual(2);
      for (const service of SERVICES) {
        const own = await scrape(local(service));
        expect(own).toMatch(/^baedal_graphql_requests_total\{operation="[^"]+",outcome="ok"\} \d+/m);
        expect(own).toMatch(/^baedal_db_pool_connections\{database="[^"]+",state="idle"\} \d+/m);
        expect(own).toMatch(/^process_cpu_seconds_total /m);
      }
    });

    it('show every queue, every outbox and how far consumers lag, at the workers', async () => {
      const text = await scrape(local('workers'));
      for (const queue of [...CONSUMERS, 'coupon-claims'])
        for (const state of ['waiting', 'delayed', 'failed'])
          expect([queue, state, valueOf(text, `baedal_queue_jobs{queue="${queue}",state="${state}"}`)]).toEqual([
            queue,
            state,
            expect.any(Number),
          ]);
      for (const service of SERVICES) {
        expect(valueOf(text, `baedal_outbox_backlog_events{database="${service}"}`)).toEqual(expect.any(Number));
        expect(valueOf(text, `baedal_outbox_oldest_unrelayed_age_seconds{database="${service}"}`)).toBeLessThan(60);
      }
      // The platform's start applied snapshot events to the query model.
      expect(valueOf(text, 'baedal_consumer_lag_seconds_count{consumer="shops"}')).toBeGreaterThan(0);
    });

    it('export every metric the Grafana dashboard and the alert rules use', async () => {
      const texts = await Promise.all([gateway(), local('workers'), ...SERVICES.map(local)].map(scrape));
      // Declared metrics, whether or not a series has been counted yet (a failure counter of a healthy platform has none).
      const declared = texts.flatMap((t) => [...t.matchAll(/^# TYPE ([a-z_:]+) (\w+)$/gm)]);
      const exported = new Set(
        declared.flatMap(([, name, type]) =>
          type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
        ),
      );
      const monitoring = path.join(REPO_ROOT, 'docs', 'monitoring');
      const dashboard = JSON.parse(fs.readFileSync(path.join(monitoring, 'grafana-dashboard.json'), 'utf8')) as {
        panels: { targets: { expr: string }[] }[];
      };
      const rules = parseYaml(fs.readFileSync(path.join(monitoring, 'alerts.yml'), 'utf8')) as {
        groups: { rules: { alert: string; expr: string }[] }[];
      };
      const expressions = [
        ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
        ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)),
      ];
      const used = new Set(expressions.flatMap((e) => [...e.matchAll(/\bbaedal_[a-z_]+/g)].map((m) => m[0])));
      expect(used.size).toBeGreaterThan(10);
      expect([...used].filter((name) => !exported.has(name))).toEqual([]);
      expect(rules.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual([
        'BaedalDeadLetter',
        'BaedalOutboxStuck',
        'BaedalBreakerOpen',
      ]);
    });
  });

  describe('the queue dashboard', () => {
    const base = () => `http://127.0.0.1:${platform().stack.port('workers')}`;
    const dashboard = () => `${base()}/queues`;
    let queue: Queue;
    let deadLetterId: string;

    // A dead letter on the reviews queue: an order.delivered with no order in it fails at once (one attempt).
    beforeAll(async () => {
      queue = new Queue('reviews', {
        connection: { url: process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
        prefix: platform().prefix,
      });
      const id = randomUUID();
      const event = {
        id,
        type: 'order.delivered',
        version: 1,
        aggregateId: id,
        occurredAt: new Date().toISOString(),
        payload: null,
      };
      const job = await queue.add('order.delivered', { events: [event] }, { jobId: id, attempts: 1 });
      deadLetterId = job.id!;
      for (let i = 0; i < 100 && !(await job.isFailed()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await job.isFailed()).toBe(true);
    }, 30_000);
    afterAll(async () => {
      await (await queue.getJob(deadLetterId))?.remove();
      await queue.close();
    });

    it('is for admins alone: a stranger is sent to sign in, a customer is refused', async () => {
      const page = await fetch(dashboard(), { redirect: 'manual', headers: { accept: 'text/html' } });
      expect([page.status, page.headers.get('location')]).toEqual([302, '/queues/sign-in']);
      expect((await fetch(`${dashboard()}/api/queues`)).status).toBe(401);
      const customer = await login(platform().gatewayUrl, 'customer1@baedal.dev');
      expect((await fetch(`${dashboard()}/api/queues`, { headers: bearer(customer.token) })).status).toBe(401);
      const admin = await login(platform().gatewayUrl, 'admin@baedal.dev');
      const answer = await fetch(`${dashboard()}/api/queues`, { headers: bearer(admin.token) });
      expect(answer.status).toBe(200);
      const names = ((await answer.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
      expect(names.sort()).toEqual([...CONSUMERS, 'coupon-claims'].sort());
    });

    it('takes a change with its cookie only from its own page, and never deletes a job', async () => {
      const signIn = (origin: string) =>
        fetch(`${dashboard()}/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
          body: 'email=admin%40baedal.dev&password=baedal1234',
        });
      expect((await signIn('http://evil.example')).status).toBe(403);
      const signedIn = await signIn(base());
      expect(signedIn.status).toBe(303);
      const cookie = signedIn.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\/queues; Max-Age=\d+/);
      const retry = (origin: string) =>
        fetch(`${dashboard()}/api/queues/reviews/${deadLetterId}/retry/failed`, {
          method: 'PUT',
          headers: { cookie: cookie.split(';')[0], origin },
        });
      expect((await retry('http://evil.example')).status).toBe(403);
      const remove = await fetch(`${dashboard()}/api/queues/reviews/clean/failed`, {
        method: 'PUT',
        headers: { cookie: cookie.split(';')[0], origin: base() },
      });
      expect(remove.status).toBeGreaterThanOrEqual(400);
      expect(await queue.getJob(deadLetterId)).toBeDefined();
    });

    it('lists every queue with its counts in a browser, and retries a dead letter as dlq replay does', async () => {
      const { page, outside } = await watchedPage(browser);
      await page.goto(dashboard());
      await page.getByLabel('Email').fill('admin@baedal.dev');
      await page.getByLabel('Password').fill('baedal1234');
      await page.getByRole('button', { name: 'Sign in' }).click();
      for (const name of [...CONSUMERS, 'coupon-claims'])
        await page
          .getByRole('link', { name: new RegExp(`^${name}`) })
          .first()
          .waitFor({ timeout: 15_000 });
      // Each queue's card with its count of jobs, and the dead letter counted on the reviews card.
      await page
        .getByText(/^\d+ Jobs?$/)
        .first()
        .waitFor({ timeout: 15_000 });
      const overview = await page.locator('body').innerText();
      for (const name of [...CONSUMERS, 'coupon-claims'])
        expect(overview).toMatch(new RegExp(`\\n${name}\\n(FAILED\\n\\d+\\n)?\\d+ Jobs?(\\n|$)`));
      expect(overview).toMatch(/\nreviews\nFAILED\n1\n\d+ Jobs?/);
      const failedBefore = (await queue.getJob(deadLetterId))!.attemptsMade;
      await page.goto(`${dashboard()}/queue/reviews?status=failed`);
      await page.getByRole('button', { name: /Retry/ }).first().click();
      const confirm = page.getByRole('button', { name: /Confirm|Retry/ }).last();
      if (await confirm.isVisible().catch(() => false)) await confirm.click();
      // Replayed, it ran again (and failed again, as it must: it names no order).
      for (let i = 0; i < 100; i++) {
        const job = await queue.getJob(deadLetterId);
        if (job && job.attemptsMade > failedBefore && (await job.isFailed())) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await queue.getJob(deadLetterId))!.attemptsMade).toBeGreaterThan(failedBefore);
      await page.close();
      expect(outside).toEqual([]);
    }, 60_000);
  });
}
