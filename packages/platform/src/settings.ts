/*
 * How every process reads its settings: each package declares the environment
 * variables it reads in its own config.ts, with a default and a sentence, and
 * reads them only through that declaration. The whole declaration is read and
 * validated at its first use, once per process (a process's environment does
 * not change while it runs, and reading process.env per request showed as
 * 1-1.5% of the gateway's and the orders subgraph's CPU: docs/performance.md, P15).
 * A bad value stops the process with one line naming the variable.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

/** One setting: how its text becomes a value, its default, and what it is for. */
export interface Setting<T> {
  readonly parse: (raw: string, name: string) => T;
  readonly fallback: T | ((env: Environment) => T);
  readonly doc: string;
  /** A secret: its default is for development only (see `secret`). */
  readonly secret?: true;
  /** The least a number may be in production (a cost tests may lower, production never). */
  readonly productionFloor?: number;
}

export class SettingError extends Error {}

function parseInt10(raw: string, name: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new SettingError(`${name} must be a whole number, got "${raw}"`);
  if (value < min || value > max) throw new SettingError(`${name} must be from ${min} to ${max}, got ${value}`);
  return value;
}

/** A whole number, from `min` to `max`. */
export function int(
  fallback: number | ((env: Environment) => number),
  doc: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
) {
  return { parse: (raw, name) => parseInt10(raw, name, min, max), fallback, doc } satisfies Setting<number>;
}

/** A whole number that is absent unless set (another setting, or the caller, then decides). */
export function optionalInt(doc: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  const parse = (raw: string, name: string): number | undefined => parseInt10(raw, name, min, max);
  return { parse, fallback: undefined, doc } satisfies Setting<number | undefined>;
}

/** A number, whole or not, from `min` to `max`. */
export function decimal(fallback: number, doc: string, min: number, max: number) {
  const parse = (raw: string, name: string): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new SettingError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  return { parse, fallback, doc } satisfies Setting<number>;
}

/** `true` or `false` (also `1` and `0`). */
export function bool(fallback: boolean | ((env: Environment) => boolean), doc: string) {
  const parse = (raw: string, name: string): boolean => {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new SettingError(`${name} must be true or false, got "${raw}"`);
  };
  return { parse, fallback, doc } satisfies Setting<boolean>;
}

/** Any text. */
export function text(fallback: string | ((env: Environment) => string), doc: string) {
  return { parse: (raw: string) => raw, fallback, doc } satisfies Setting<string>;
}

/** The fewest bytes a secret has in production. */
export const SECRET_MIN_BYTES = 32;

/**
 * A secret. Its default is published in the repository, so it serves
 * development alone: in production (BAEDAL_ENV=production) the secret must
 * be set, differ from that default and have at least 32 bytes, or the
 * process refuses to start.
 */
export function secret(developmentDefault: string, doc: string) {
  return { parse: (raw: string) => raw, fallback: developmentDefault, doc, secret: true } satisfies Setting<string>;
}

/** Why a secret cannot serve production, or null. */
function unfitSecret(name: string, raw: string | undefined, developmentDefault: string): string | null {
  if (raw === undefined || raw === '') return `${name} must be set in production (at least ${SECRET_MIN_BYTES} bytes)`;
  if (raw === developmentDefault)
    return `${name} is the development default, published in the repository; set a secret of your own in production`;
  const bytes = Buffer.byteLength(raw);
  if (bytes < SECRET_MIN_BYTES)
    return `${name} must have at least ${SECRET_MIN_BYTES} bytes in production, it has ${bytes}`;
  return null;
}

/** Text that is absent unless set. */
export function optionalText(doc: string) {
  return { parse: (raw: string): string | undefined => raw, fallback: undefined, doc } satisfies Setting<
    string | undefined
  >;
}

/** One of `choices`. */
export function oneOf<const C extends readonly string[]>(choices: C, fallback: C[number], doc: string) {
  const parse = (raw: string, name: string): C[number] => {
    if (!choices.includes(raw)) throw new SettingError(`${name} must be one of ${choices.join(', ')}, got "${raw}"`);
    return raw;
  };
  return { parse, fallback, doc } satisfies Setting<C[number]>;
}

/** A comma-separated list of `choices`. */
export function listOf<const C extends readonly string[]>(choices: C, fallback: C[number][], doc: string) {
  const parse = (raw: string, name: string): C[number][] =>
    raw.split(',').map((item) => {
      if (!choices.includes(item.trim()))
        throw new SettingError(`${name} may list ${choices.join(', ')}, got "${raw}"`);
      return item.trim();
    });
  return { parse, fallback, doc } satisfies Setting<C[number][]>;
}

export type SettingsSpec = Record<string, Setting<unknown>>;
export type SettingsOf<S extends SettingsSpec> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** A package's settings: call it for the values (read once), or `read` another environment (tests). */
export interface Settings<S extends SettingsSpec> {
  (): SettingsOf<S>;
  read(env: Environment): SettingsOf<S>;
  readonly spec: S;
}

/** Reads `spec` from `env`: an unset or empty variable takes its default. */
export function readSettings<S extends SettingsSpec>(spec: S, env: Environment): SettingsOf<S> {
  const values: Record<string, unknown> = {};
  const production = env.BAEDAL_ENV === 'production';
  for (const [name, setting] of Object.entries(spec)) {
    const raw = env[name];
    const { fallback } = setting;
    const unfit = production && setting.secret ? unfitSecret(name, raw, fallback as string) : null;
    if (unfit) throw new SettingError(unfit);
    values[name] =
      raw === undefined || raw === ''
        ? typeof fallback === 'function'
          ? (fallback as (env: Environment) => unknown)(env)
          : fallback
        : setting.parse(raw, name);
    const floor = setting.productionFloor;
    if (production && floor !== undefined && (values[name] as number) < floor)
      throw new SettingError(`${name} must be at least ${floor} in production, got ${values[name] as number}`);
  }
  return Object.freeze(values) as SettingsOf<S>;
}

/**
 * This process's own settings. A process cannot run on a bad value, and its
 * settings are first read while its modules load: it stops at once, with one
 * line naming the variable rather than a stack trace.
 */
function readOwnSettings<S extends SettingsSpec>(spec: S): SettingsOf<S> {
  try {
    return readSettings(spec, process.env);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    process.stderr.write(`refusing to start: ${error.message}\n`);
    process.exit(1);
  }
}

/** Declares a package's settings. */
export function defineSettings<S extends SettingsSpec>(spec: S): Settings<S> {
  let values: SettingsOf<S> | undefined;
  const settings = () => (values ??= readOwnSettings(spec));
  return Object.assign(settings, { read: (env: Environment) => readSettings(spec, env), spec });
}
