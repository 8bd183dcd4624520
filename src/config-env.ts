/**
 * Every configuration key from the environment as POWERPLANT_<SECTION>_<KEY>, e.g.
 * POWERPLANT_GATE_BITS_MIN=20 for gate.bits_min. The names are derived from the built-in defaults
 * (every section and key the schema knows), so a new key can be set from the environment at once.
 * A value is read by the type of its key's default: numbers as numbers, lists split on ',' or ';',
 * `true` / `false` as booleans, anything else as text; the schema then judges it like any other layer.
 * @module
 */
import { InputError } from './errors.js';

export const ENV_PREFIX = 'POWERPLANT_';

/** Sections of keys with their default values, as the schema produces them from nothing. */
export type ConfigShape = Readonly<Record<string, Readonly<Record<string, unknown>>>>;
type Layer = Record<string, Record<string, unknown>>;

export const envName = (section: string, key: string): string => `${ENV_PREFIX}${section}_${key}`.toUpperCase();

/** Strings from env and flags become numbers when they look like one; the schema judges the rest. */
export function numeric(value: string | number): string | number {
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** A list from one variable: entries separated by ',' or ';', blanks dropped. */
export const listFromEnv = (value: string): string[] =>
  value
    .split(/[,;]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

function typed(value: string, example: unknown): unknown {
  if (Array.isArray(example)) return listFromEnv(value);
  if (typeof example === 'number') return numeric(value);
  if (typeof example === 'boolean' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return value;
}

/**
 * The config layer the POWERPLANT_* variables in `env` make. A variable that starts like a
 * section's but names no key of it is refused (a typo would otherwise be ignored in silence);
 * other POWERPLANT_* variables (POWERPLANT_NO_NATIVE, ...) are not config and are left alone.
 */
export function configFromEnv(shape: ConfigShape, env: Readonly<Record<string, string | undefined>>): Layer {
  const layer: Layer = {};
  const known = new Set<string>();
  for (const [section, keys] of Object.entries(shape)) {
    for (const [key, example] of Object.entries(keys)) {
      const name = envName(section, key);
      known.add(name);
      const value = env[name];
      if (value !== undefined) layer[section] = { ...layer[section], [key]: typed(value, example) };
    }
  }
  const sectionPrefixes = Object.keys(shape).map((section) => envName(section, ''));
  for (const name of Object.keys(env)) {
    if (!known.has(name) && sectionPrefixes.some((prefix) => name.startsWith(prefix))) {
      throw new InputError(`config: unknown environment variable ${name} (every key is ${ENV_PREFIX}<SECTION>_<KEY>, see serve --help)`);
    }
  }
  return layer;
}

/** The variables, one entry per section (wrapped at `width` columns), for `serve --help` and the docs. */
export function describeEnv(shape: ConfigShape, width = 100): string {
  return Object.entries(shape)
    .map(([section, keys]) => {
      const lines = [`  ${envName(section, '')}{`];
      const names = Object.keys(keys).map((key) => key.toUpperCase());
      names.forEach((name, i) => {
        const item = name + (i === names.length - 1 ? '}' : ',');
        if (lines.at(-1)!.length + item.length > width) lines.push('    ');
        lines[lines.length - 1] += item;
      });
      return lines.join('\n');
    })
    .join('\n');
}
