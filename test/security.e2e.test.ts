import { randomBytes, scrypt } from 'node:crypto';
import { createShopsClient } from '@baedal/prisma/shops';
import { codes, graphql, type GraphQLResponse } from './support/graphql';
import { startTestPlatform, type TestPlatform } from './support/stack';

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
