import { scrypt } from 'node:crypto';

// Read when the module first reads its settings: a cost tests can afford, two hashes at once.
process.env.BAEDAL_PASSWORD_SCRYPT_LOG_N = '12';
process.env.BAEDAL_PASSWORD_HASHES_AT_ONCE = '2';
const passwords = require('./passwords') as typeof import('./passwords');

describe('password hashes', () => {
  it('verify the password they were made from, and no other, and store their cost', async () => {
    const stored = await passwords.hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$ln=12,r=8,p=1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(await passwords.verifyPassword('correct horse battery', stored)).toEqual({ ok: true, rehash: false });
    expect(await passwords.verifyPassword('correct horse batterY', stored)).toEqual({ ok: false, rehash: false });
    expect(await passwords.verifyPassword('x', 'not a hash')).toEqual({ ok: false, rehash: false });
  });

  it('made at another cost verify, and ask to be made again', async () => {
    const salt = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    // The format stored before costs were: Node's default scrypt (N = 2^14).
    const legacy = await new Promise<Buffer>((resolve, reject) =>
      scrypt('demo password', salt, 32, (error, key) => (error ? reject(error) : resolve(key))),
    );
    const stored = `scrypt$${salt.toString('hex')}$${legacy.toString('hex')}`;
    expect(await passwords.verifyPassword('demo password', stored)).toEqual({ ok: true, rehash: true });
    expect(await passwords.verifyPassword('wrong password', stored)).toEqual({ ok: false, rehash: false });
  });

  it('run at most BAEDAL_PASSWORD_HASHES_AT_ONCE at a time; the rest wait their turn', async () => {
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, passwords.passwordHashesRunning())), 0);
    const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => passwords.hashPassword(`password ${i}`)));
    clearInterval(sampler);
    expect(new Set(hashes).size).toBe(8);
    expect(most).toBe(2);
    expect(passwords.passwordHashesRunning()).toBe(0);
  });

  it('check an unknown account as long as a known one, and never accept it', async () => {
    expect(await passwords.verifyAgainstNobody('anything at all')).toBe(false);
  });
});
