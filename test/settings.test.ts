import fs from 'node:fs';
import path from 'node:path';
import { adsConfig } from '@baedal/ads/config';
import { eventsConfig } from '@baedal/events';
import { gatewayConfig } from '@baedal/gateway/config';
import { ordersConfig } from '@baedal/orders/config';
import { paymentsConfig, simulatorConfig } from '@baedal/payments/config';
import {
  platformConfig,
  readSettings,
  SERVICES,
  SettingError,
  type Settings,
  type SettingsSpec,
} from '@baedal/platform';
import { prismaConfig } from '@baedal/prisma/config';
import { shopsConfig } from '@baedal/shops/config';
import { stackConfig } from '@baedal/stack/config';
import { workersConfig } from '@baedal/workers/config';

/*
 * Every setting a process reads is declared in its package's config.ts
 * (the lint forbids process.env elsewhere), and every declared setting is in
 * the README's settings table, under its own name or, for one of a family
 * per service (SHOPS_PORT, ORDERS_TIMEOUT_MS, ...), as <SERVICE>_PORT.
 */

const DECLARED: Record<string, Settings<SettingsSpec>> = {
  platform: platformConfig,
  events: eventsConfig,
  gateway: gatewayConfig,
  workers: workersConfig,
  orders: ordersConfig,
  ads: adsConfig,
  payments: paymentsConfig,
  'payment provider simulator': simulatorConfig,
  shops: shopsConfig,
  prisma: prismaConfig,
  stack: stackConfig,
};

const readme = fs.readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
const table = readme.slice(readme.indexOf('## Settings'), readme.indexOf('\n## ', readme.indexOf('## Settings') + 1));
/** The name as the README writes it: <SERVICE>_X when every service has its own X, else itself. */
function asDocumented(name: string, spec: SettingsSpec): string {
  const service = SERVICES.find((s) => name.startsWith(`${s.toUpperCase()}_`));
  const suffix = service && name.slice(service.length + 1);
  const everyService = suffix && SERVICES.every((s) => `${s.toUpperCase()}_${suffix}` in spec);
  return everyService ? `<SERVICE>_${suffix}` : name;
}

describe('settings', () => {
  it.each(Object.entries(DECLARED))(
    "%s: every setting it declares is in the README's settings table",
    (_, settings) => {
      const missing = Object.keys(settings.spec).filter(
        (name) => !table.includes(`\`${asDocumented(name, settings.spec)}\``),
      );
      expect(missing).toEqual([]);
    },
  );

  it('take their defaults when unset, and refuse a bad value with one line naming the variable', () => {
    expect(readSettings(workersConfig.spec, {}).BAEDAL_RELAY_INTERVAL_MS).toBe(50);
    expect(() => readSettings(workersConfig.spec, { BAEDAL_RELAY_INTERVAL_MS: 'soon' })).toThrow(
      new SettingError('BAEDAL_RELAY_INTERVAL_MS must be a whole number, got "soon"'),
    );
    expect(() => readSettings(ordersConfig.spec, { ORDERS_AUTO_APPROVE_PAYMENT: 'yes' })).toThrow(
      'ORDERS_AUTO_APPROVE_PAYMENT must be true or false',
    );
    expect(() => readSettings(workersConfig.spec, { BAEDAL_WORKERS_ROLES: 'relays,cooks' })).toThrow(SettingError);
  });

  it('derive a default from another setting where one follows from it', () => {
    const settings = readSettings(platformConfig.spec, { GATEWAY_PORT: '14100', SHOPS_PORT: '14101' }) as Record<
      string,
      unknown
    >;
    expect(settings.GATEWAY_URL).toBe('http://127.0.0.1:14100/graphql');
    expect(settings.SHOPS_URL).toBe('http://127.0.0.1:14101/graphql');
  });

  it('in production, refuse a secret that is unset, the development default or shorter than 32 bytes', () => {
    const strong = {
      BAEDAL_ENV: 'production',
      BAEDAL_JWT_SECRET: 'j'.repeat(32),
      BAEDAL_IDENTITY_SECRET: 'i'.repeat(32),
      BAEDAL_CHARGE_SECRET: 'c'.repeat(32),
    };
    expect(readSettings(platformConfig.spec, strong).BAEDAL_JWT_SECRET).toBe('j'.repeat(32));
    const development = readSettings(platformConfig.spec, {});
    expect(() => readSettings(platformConfig.spec, { ...strong, BAEDAL_JWT_SECRET: '' })).toThrow(
      new SettingError('BAEDAL_JWT_SECRET must be set in production (at least 32 bytes)'),
    );
    expect(() =>
      readSettings(platformConfig.spec, { ...strong, BAEDAL_CHARGE_SECRET: development.BAEDAL_CHARGE_SECRET }),
    ).toThrow(/^BAEDAL_CHARGE_SECRET is the development default/);
    // Bytes, not characters: 11 Hangul syllables are 33 bytes.
    expect(() => readSettings(platformConfig.spec, { ...strong, BAEDAL_IDENTITY_SECRET: '비'.repeat(10) })).toThrow(
      'BAEDAL_IDENTITY_SECRET must have at least 32 bytes in production, it has 30',
    );
    expect(readSettings(platformConfig.spec, { ...strong, BAEDAL_IDENTITY_SECRET: '비'.repeat(11) })).toBeTruthy();
  });

  it('let tests lower the password hashing cost, and never production', () => {
    expect(readSettings(platformConfig.spec, { BAEDAL_PASSWORD_SCRYPT_LOG_N: '12' }).BAEDAL_PASSWORD_SCRYPT_LOG_N).toBe(
      12,
    );
    const production = {
      BAEDAL_ENV: 'production',
      BAEDAL_JWT_SECRET: 'j'.repeat(32),
      BAEDAL_IDENTITY_SECRET: 'i'.repeat(32),
      BAEDAL_CHARGE_SECRET: 'c'.repeat(32),
    };
    expect(readSettings(platformConfig.spec, production).BAEDAL_PASSWORD_SCRYPT_LOG_N).toBe(17);
    expect(() => readSettings(platformConfig.spec, { ...production, BAEDAL_PASSWORD_SCRYPT_LOG_N: '16' })).toThrow(
      new SettingError('BAEDAL_PASSWORD_SCRYPT_LOG_N must be at least 17 in production, got 16'),
    );
  });

  it('listen on 127.0.0.1 in development and on every address in production', () => {
    expect(readSettings(platformConfig.spec, {}).BAEDAL_LISTEN_HOST).toBe('127.0.0.1');
    const production = {
      BAEDAL_ENV: 'production',
      BAEDAL_JWT_SECRET: 'j'.repeat(32),
      BAEDAL_IDENTITY_SECRET: 'i'.repeat(32),
      BAEDAL_CHARGE_SECRET: 'c'.repeat(32),
    };
    expect(readSettings(platformConfig.spec, production).BAEDAL_LISTEN_HOST).toBe('0.0.0.0');
  });

  it('turn the playground and introspection off in production unless set', () => {
    const read = (env: Record<string, string>) => {
      const { BAEDAL_PLAYGROUND, BAEDAL_INTROSPECTION } = readSettings(gatewayConfig.spec, env);
      return [BAEDAL_PLAYGROUND, BAEDAL_INTROSPECTION];
    };
    expect(read({})).toEqual([true, true]);
    expect(read({ BAEDAL_ENV: 'production' })).toEqual([false, false]);
    expect(read({ BAEDAL_ENV: 'production', BAEDAL_PLAYGROUND: 'true' })).toEqual([true, false]);
  });
});
