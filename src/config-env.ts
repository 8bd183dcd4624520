/**
 * Every configuration key from the environment as POWERPLANT_<SECTION>_<KEY>, e.g.
 * POWERPLANT_GATE_BITS_MIN=20 for gate.bits_min; a key of a table inside a section joins the
 * names with `_` (POWERPLANT_GATE_HTTP_UPSTREAM for gate.http.upstream). The names are derived
 * from the built-in defaults (every section and key the schema knows), so a new key can be set
 * from the environment at once. A value is read by the type of its key's default: numbers as
 * numbers, lists split on ',' or ';' or given as a JSON array (the way to give a list of tables,
 * such as gate.http.rules), switches from true/false (also 1/0, yes/no), anything else as text; the
 * schema then judges it like any other layer.
 * @module
 */
import { InputError } from './errors.js';

export const ENV_PREFIX = 'POWERPLANT_';

/** Sections of keys with their default values, as the schema produces them from nothing. */
export type ConfigShape = Readonly<Record<string, Readonly<Record<string, unknown>>>>;
type Layer = Record<string, Record<string, unknown>>;

const isTable = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every key of a section, tables inside it opened: its path of names and its default. */
export function configLeaves(keys: Readonly<Record<string, unknown>>, path: readonly string[] = []): [readonly string[], unknown][] {
  return Object.entries(keys).flatMap(([key, value]) => (isTable(value) ? configLeaves(value, [...path, key]) : [[[...path, key], value] as [string[], unknown]]));
}

/** `value` put at `path` in `table`, the tables on the way created or copied. */
function placed(table: Record<string, unknown> | undefined, path: readonly string[], value: unknown): Record<string, unknown> {
  const [key, ...rest] = path as [string, ...string[]];
  const inner = table?.[key];
  return { ...table, [key]: rest.length === 0 ? value : placed(isTable(inner) ? inner : undefined, rest, value) };
}

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

const SWITCH_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

function typed(name: string, value: string, example: unknown): unknown {
  if (Array.isArray(example)) {
    if (!value.trim().startsWith('[')) return listFromEnv(value);
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      throw new InputError(`config: ${name} is not a JSON array: ${(error as Error).message}`);
    }
  }
  if (typeof example === 'number') return numeric(value);
  // An unknown word stays text, which the schema refuses by the key's name.
  if (typeof example === 'boolean') return SWITCH_WORDS[value.trim().toLowerCase()] ?? value;
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
    for (const [path, example] of configLeaves(keys)) {
      const name = envName(section, path.join('_'));
      known.add(name);
      const value = env[name];
      if (value !== undefined) layer[section] = placed(layer[section], path, typed(name, value, example));
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
      const names = configLeaves(keys).map(([path]) => path.join('_').toUpperCase());
      names.forEach((name, i) => {
        const item = name + (i === names.length - 1 ? '}' : ',');
        if (lines.at(-1)!.length + item.length > width) lines.push('    ');
        lines[lines.length - 1] += item;
      });
      return lines.join('\n');
    })
    .join('\n');
}
