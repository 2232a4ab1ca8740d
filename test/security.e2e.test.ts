import { randomBytes, scrypt } from 'node:crypto';
import net from 'node:net';
import { createShopsClient } from '@baedal/prisma/shops';
import { isOpenAt, parseOpeningHours } from '@baedal/contracts';
import { identityFromAuthorization } from '@baedal/platform';
import { asGateway, bearer, codes, gatewayInternal, graphql, type GraphQLResponse } from './support/graphql';
import { eventually, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * The attacks the secure defaults are for, each against the real processes:
 * accounts and sign-in here; signed identity, money and production mode have
 * their own suites (test/README.md lists where each attack is).
 *
 * Long on purpose: its tests share the platform started above them (test/README.md).
 */

const BASE = 14700;
const FAILURES = 5;
let platform: TestPlatform;
let url: string;
let shopsDb: ReturnType<typeof createShopsClient>;

beforeAll(async () => {
  platform = await startTestPlatform('security', BASE, 10, {
    // A hash costs tens of milliseconds here, so a sign-in that skips it would show.
    BAEDAL_PASSWORD_SCRYPT_LOG_N: '15',
    BAEDAL_SIGN_IN_FAILURES: String(FAILURES),
    // Sign-ins per address as deployed; each test's requests come through a trusted proxy from an address of its own.
    BAEDAL_RATE_LIMIT_ADDRESS_SIGN_IN: '20',
    BAEDAL_TRUSTED_PROXIES: 'loopback',
    // Short, so the slow clients below are cut off within the test's patience.
    BAEDAL_HTTP_HEADERS_TIMEOUT_MS: '1000',
    BAEDAL_HTTP_REQUEST_TIMEOUT_MS: '2000',
    BAEDAL_CORS_ORIGINS: 'https://dashboard.example',
  });
  url = platform.gatewayUrl;
  shopsDb = createShopsClient(platform.databaseUrl('shops'), 2);
}, 180_000);

afterAll(async () => {
  await shopsDb?.$disconnect();
  await platform?.stop();
}, 60_000);

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { message } }';
const LOGIN =
  'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token user { email role } } }';
let addresses = 0;
let address = '';
beforeEach(() => void (address = `10.1.${Math.floor(++addresses / 250)}.${addresses % 250}`));
const from = () => ({ 'x-forwarded-for': address });
const signUp = (input: Record<string, string>) => graphql(url, SIGN_UP, { input }, from());
const signIn = (email: string, password: string) => graphql(url, LOGIN, { email, password }, from());
const newEmail = () => `someone-${randomBytes(6).toString('hex')}@example.com`;

describe('signing up', () => {
  it('opens an account a customer signs in with, and answers a taken email exactly as a new one', async () => {
    const email = newEmail();
    const first = await signUp({ email, name: '새 손님', password: 'a long unusual phrase', role: 'CUSTOMER' });
    expect(first.errors).toBeUndefined();
    expect((await signIn(email.toUpperCase(), 'a long unusual phrase')).data.login.user).toEqual({
      email,
      role: 'CUSTOMER',
    });
    const again = await signUp({ email, name: '다른 사람', password: 'another long phrase', role: 'OWNER' });
    expect(again).toEqual(first);
    // The account is untouched: its own password still signs in, the second one does not.
    expect(codes(await signIn(email, 'another long phrase'))).toEqual(['UNAUTHENTICATED']);
    expect((await signIn(email, 'a long unusual phrase')).data.login.user.role).toBe('CUSTOMER');
  });

  it('opens owner accounts too, never admin ones', async () => {
    const email = newEmail();
    await signUp({ email, name: '사장님', password: 'my shop is the best', role: 'OWNER' });
    expect((await signIn(email, 'my shop is the best')).data.login.user.role).toBe('OWNER');
    expect(
      codes(await signUp({ email: newEmail(), name: 'x', password: 'my shop is the best', role: 'ADMIN' })),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a short or common password, saying which field, and opens nothing', async () => {
    const email = newEmail();
    for (const password of ['ninechars', 'password123', 'Qwertyuiop']) {
      const refused = await signUp({ email, name: '손님', password, role: 'CUSTOMER' });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    }
    expect(await shopsDb.account.count({ where: { email } })).toBe(0);
  });
});

describe('signing in', () => {
  /** The median time of `attempts`, each sent alone. */
  async function medianMs(attempts: (() => Promise<GraphQLResponse>)[]): Promise<number> {
    const times: number[] = [];
    for (const attempt of attempts) {
      const started = performance.now();
      expect(codes(await attempt())).toEqual(['UNAUTHENTICATED']);
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  }

  it('takes as long for an unknown email as for a wrong password', async () => {
    const wrong = await medianMs(
      Array.from({ length: 4 }, (_, i) => () => signIn(`customer${i + 2}@baedal.dev`, 'not the password')),
    );
    const unknown = await medianMs(Array.from({ length: 4 }, () => () => signIn(newEmail(), 'not the password')));
    // Without the check against a dummy hash, an unknown email answers in a fraction of the time.
    expect(unknown / wrong).toBeGreaterThan(0.6);
    expect(unknown / wrong).toBeLessThan(1.6);
  });

  it(`refuses an email after ${FAILURES} failed sign-ins, even with its password, saying when to retry`, async () => {
    const email = 'customer20@baedal.dev';
    for (let i = 0; i < FAILURES; i++) expect(codes(await signIn(email, `guess ${i}`))).toEqual(['UNAUTHENTICATED']);
    const refused = await signIn(email, 'baedal1234');
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    const wait = refused.errors![0].extensions!.retryAfterSeconds as number;
    expect(wait).toBeGreaterThan(0);
    expect(refused.errors?.[0].message).toBe(`Too many failed sign-ins for this email; try again in ${wait} s`);
    // Another account is not affected, and an unknown email is counted the same way.
    expect((await signIn('customer21@baedal.dev', 'baedal1234')).errors).toBeUndefined();
    const nobody = newEmail();
    for (let i = 0; i < FAILURES; i++) await signIn(nobody, `guess ${i}`);
    expect(codes(await signIn(nobody, 'guess'))).toEqual(['TOO_MANY_REQUESTS']);
  });

  it('a success clears the failures counted so far', async () => {
    const email = 'customer22@baedal.dev';
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < FAILURES - 1; i++) await signIn(email, 'wrong');
      expect((await signIn(email, 'baedal1234')).errors).toBeUndefined();
    }
  });

  it('makes a hash of an older cost again at the current cost, on the next sign-in', async () => {
    const email = 'customer23@baedal.dev';
    const salt = randomBytes(16);
    const legacy = await new Promise<Buffer>((resolve, reject) =>
      scrypt('baedal1234', salt, 32, (error, key) => (error ? reject(error) : resolve(key))),
    );
    await shopsDb.account.update({
      where: { email },
      data: { passwordHash: `scrypt$${salt.toString('hex')}$${legacy.toString('hex')}` },
    });
    expect((await signIn(email, 'baedal1234')).errors).toBeUndefined();
    const { passwordHash } = await shopsDb.account.findUniqueOrThrow({ where: { email } });
    expect(passwordHash).toMatch(/^scrypt\$ln=15,r=8,p=1\$/);
    expect((await signIn(email, 'baedal1234')).errors).toBeUndefined();
  });
});

describe('sign-ins from one address', () => {
  it('are limited to 20 a minute, whatever the emails, and sign-ups count with them', async () => {
    for (let i = 0; i < 10; i++) await signIn(`customer${30 + i}@baedal.dev`, 'baedal1234');
    for (let i = 0; i < 10; i++)
      await signUp({ email: newEmail(), name: '손님', password: 'a long unusual phrase', role: 'CUSTOMER' });
    const refused = await signIn('customer41@baedal.dev', 'baedal1234');
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^Too many sign-ins from this address; try again in \d+ s$/),
      extensions: { code: 'TOO_MANY_REQUESTS' },
    });
    // The account itself is fine from another address.
    address = '10.2.0.1';
    expect((await signIn('customer41@baedal.dev', 'baedal1234')).errors).toBeUndefined();
  });
});

describe('HTTP at the edge', () => {
  /** Opens a connection, writes `first`, then one more byte every 200 ms; resolves with how long the server took to close it. */
  const trickle = (first: string, more: string) =>
    new Promise<number>((resolve) => {
      const { port } = new URL(url);
      const started = Date.now();
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(first));
      let i = 0;
      const timer = setInterval(() => socket.writable && socket.write(more[i++ % more.length]), 200);
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve(Date.now() - started);
      });
      setTimeout(() => socket.destroy(), 15_000);
    });

  it('cuts off a client that sends its headers too slowly', async () => {
    const closedAfter = await trickle('POST /graphql HTTP/1.1\r\nHost: baedal\r\n', 'x-slow: aaaaaaaa');
    expect(closedAfter).toBeLessThan(5000);
  });

  it('cuts off a client that sends its body too slowly', async () => {
    const headers =
      'POST /graphql HTTP/1.1\r\nHost: baedal\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n';
    expect(await trickle(headers, '{')).toBeLessThan(6000);
  });

  it("makes its own request id and keeps the client's apart", async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'chosen-by-the-client' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-client-request-id')).toBe('chosen-by-the-client');
  });

  it('lets the browser origins the settings name call it, and no other', async () => {
    const preflight = (origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://dashboard.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dashboard.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves its metrics and which subgraph is not ready on the internal port alone', async () => {
    const base = url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(await (await fetch(gatewayInternal(url, '/metrics'))).text()).toMatch(/^# HELP/m);
  });
});

describe('least privilege', () => {
  it("shows a shop's owner an order's payment status and amount, and nothing of how it was paid", async () => {
    const owner = await shopsDb.account.findUniqueOrThrow({ where: { email: 'owner1@baedal.dev' } });
    const shop = (
      await shopsDb.shop.findMany({
        where: { ownerId: owner.id },
        include: { menuItems: { where: { soldOut: false }, orderBy: { price: 'desc' } } },
      })
    ).find((s) => isOpenAt(parseOpeningHours(s.openingHours), !s.isOpen, new Date()) && s.menuItems.length > 0)!;
    const token = async (email: string) => (await signIn(email, 'baedal1234')).data.login.token as string;
    const [customer, shopOwner, otherOwner, otherCustomer] = await Promise.all(
      ['customer50@baedal.dev', 'owner1@baedal.dev', 'owner2@baedal.dev', 'customer51@baedal.dev'].map(token),
    );
    const item = shop.menuItems[0];
    const placed = await graphql(
      url,
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id total } }',
      {
        input: {
          shopId: shop.id,
          items: [{ menuItemId: item.id, quantity: Math.max(1, Math.ceil(shop.minimumOrder / item.price)) }],
          deliveryAddress: '서울시 1',
          deliveryArea: shop.deliveryAreas[0],
          idempotencyKey: randomBytes(8).toString('hex'),
        },
      },
      bearer(customer),
    );
    const order = placed.data.placeOrder as { id: string; total: number };
    const PAYMENT = (fields: string) => `query($id: ID!) { order(id: $id) { id payment { ${fields} } } }`;
    await eventually('the order to have its payment and its owner known to payments', async () => {
      const seen = await graphql(url, PAYMENT('status amount'), { id: order.id }, bearer(shopOwner));
      return seen.data?.order?.payment?.status === 'APPROVED';
    });
    expect((await graphql(url, PAYMENT('status amount'), { id: order.id }, bearer(shopOwner))).data.order).toEqual({
      id: order.id,
      payment: { status: 'APPROVED', amount: order.total },
    });
    // Refused field by field: a nullable one is null, a non-null one takes the payment with it.
    for (const [hidden, payment] of [
      ['method', null],
      ['discount', null],
      ['history { kind }', null],
      ['provider', { status: 'APPROVED', provider: null }],
      ['declineReason', { status: 'APPROVED', declineReason: null }],
    ] as const) {
      const answer = await graphql(url, PAYMENT(`status ${hidden}`), { id: order.id }, bearer(shopOwner));
      expect([hidden, codes(answer), answer.data?.order?.payment]).toEqual([hidden, ['FORBIDDEN'], payment]);
    }
    const own = await graphql(url, PAYMENT('method history { kind }'), { id: order.id }, bearer(customer));
    expect(own.data.order.payment.method).toEqual(expect.any(String));

    // Asked of payments directly (as the gateway's _entities fetch), the caller is checked there too.
    const paymentsUrl = `http://127.0.0.1:${platform.stack.port('payments')}/graphql`;
    const entities =
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { payment { status amount } } } }';
    const ask = async (who: string) => {
      const identity = identityFromAuthorization(`Bearer ${who}`);
      return asGateway(paymentsUrl, 'payments', identity, entities, { r: [{ __typename: 'Order', id: order.id }] });
    };
    expect((await ask(shopOwner)).data._entities).toEqual([{ payment: { status: 'APPROVED', amount: order.total } }]);
    expect(codes(await ask(otherOwner))).toEqual(['FORBIDDEN']);
    expect(codes(await ask(otherCustomer))).toEqual(['FORBIDDEN']);
  });
});

describe('sessions', () => {
  const LOGIN_SESSION = `mutation($email: String!, $password: String!) {
    login(email: $email, password: $password) { token refreshToken expiresIn user { id } }
  }`;
  const signInSession = async (email: string) =>
    (await graphql(url, LOGIN_SESSION, { email, password: 'baedal1234' }, from())).data.login as {
      token: string;
      refreshToken: string;
      expiresIn: number;
      user: { id: string };
    };
  const base = () => url.replace(/\/graphql$/, '');
  const auth = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const refresh = (refreshToken: string) => auth('/auth/refresh', { refreshToken });
  const me = async (token: string) => (await graphql(url, '{ me { id } }', {}, bearer(token))).data?.me?.id as string;

  it('give access tokens that live an hour at most', async () => {
    const session = await signInSession('customer60@baedal.dev');
    const claims = JSON.parse(Buffer.from(session.token.split('.')[1], 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(3600);
    expect(session.expiresIn).toBe(claims.exp - claims.iat);
  });

  it('renew with a refresh token used once; using one again ends the whole session', async () => {
    const session = await signInSession('customer61@baedal.dev');
    const renewed = await refresh(session.refreshToken);
    expect(renewed.status).toBe(200);
    expect(await me(renewed.body.token as string)).toBe(session.user.id);
    const again = await refresh(renewed.body.refreshToken as string);
    expect(again.status).toBe(200);
    // The first token, stolen and replayed: refused, and the family with it (the newest token too).
    const replayed = await refresh(session.refreshToken);
    expect([replayed.status, replayed.body.errors[0].message]).toEqual([401, expect.stringMatching(/already used/)]);
    expect((await refresh(again.body.refreshToken as string)).status).toBe(401);
  });

  it('end with logout, and every one of an account with logout everywhere', async () => {
    const [one, two, three] = [
      await signInSession('customer62@baedal.dev'),
      await signInSession('customer62@baedal.dev'),
      await signInSession('customer62@baedal.dev'),
    ];
    expect((await auth('/auth/logout', { refreshToken: one.refreshToken })).status).toBe(200);
    expect((await refresh(one.refreshToken)).status).toBe(401);
    expect((await refresh(two.refreshToken)).status).toBe(200);
    expect((await auth('/auth/logout-everywhere', {}, bearer(three.token))).status).toBe(200);
    expect((await refresh(three.refreshToken)).status).toBe(401);
    const other = await signInSession('customer63@baedal.dev');
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('end when the account is closed, which then signs in no more', async () => {
    const email = newEmail();
    await signUp({ email, name: '떠날 손님', password: 'a long unusual phrase', role: 'CUSTOMER' });
    const session = (await graphql(url, LOGIN_SESSION, { email, password: 'a long unusual phrase' }, from())).data
      .login;
    await eventually(
      'the account to reach the directory',
      async () => (await refresh(session.refreshToken)).status === 200,
    );
    const fresh = (await graphql(url, LOGIN_SESSION, { email, password: 'a long unusual phrase' }, from())).data.login;
    const closed = await graphql(
      url,
      'mutation { closeAccount(password: "a long unusual phrase") }',
      {},
      bearer(fresh.token),
    );
    expect(closed.data).toEqual({ closeAccount: true });
    expect((await refresh(fresh.refreshToken)).status).toBe(401);
    expect(codes(await signIn(email, 'a long unusual phrase'))).toEqual(['UNAUTHENTICATED']);
  });

  it('renew while the shops subgraph, which holds accounts, is down', async () => {
    const session = await signInSession('customer64@baedal.dev');
    await platform.stack.stop('shops');
    try {
      const renewed = await refresh(session.refreshToken);
      expect(renewed.status).toBe(200);
      expect(renewed.body.token).toEqual(expect.any(String));
    } finally {
      platform.stack.start('shops');
      await platform.stack.waitFor('shops', `http://127.0.0.1:${platform.stack.port('shops')}/readyz`);
    }
  });
});
