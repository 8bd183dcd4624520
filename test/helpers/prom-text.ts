/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every sample must
 * belong to the family declared by the `# TYPE` line before it, every family has HELP and TYPE
 * once, label values are read with their escapes, and a histogram's buckets must be cumulative and
 * end with `le="+Inf"` equal to its `_count`. Throws on anything else.
 * @module
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<string>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

/** Labels from the text after `{`; returns them and the index after the closing `}`. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start;
  for (;;) {
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq === -1) throw new Error(`bad labels in: ${line}`);
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${JSON.stringify(name)} in: ${line}`);
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    if (line[eq + 1] !== '"') throw new Error(`label value must be quoted in: ${line}`);
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape in: ${line}`);
      } else value += line[j];
    }
    if (line[j] !== '"') throw new Error(`unterminated label value in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i += 1;
    else if (line[i] !== '}') throw new Error(`expected , or } in: ${line}`);
  }
}

function belongs(family: Family, sample: string): boolean {
  if (family.type === 'histogram') return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`].includes(sample);
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`].includes(sample);
  return sample === family.name;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((sample) => sample.name.endsWith('_bucket'));
    const count = samples.find((sample) => sample.name === `${family.name}_count`);
    if (!samples.some((sample) => sample.name === `${family.name}_sum`) || count === undefined) {
      throw new Error(`${family.name}${key}: a histogram needs _sum and _count`);
    }
    let previous = 0;
    let previousLe = -Infinity;
    for (const bucket of buckets) {
      const le = parseValue(bucket.labels.le ?? '', `${family.name} le`);
      if (!(le > previousLe) || bucket.value < previous) throw new Error(`${family.name}${key}: buckets are not cumulative`);
      previous = bucket.value;
      previousLe = le;
    }
    if (previousLe !== Infinity || previous !== count.value) throw new Error(`${family.name}${key}: the +Inf bucket must equal _count`);
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  const seen = new Set<string>();
  let current: Family | undefined;
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (match === null) continue; // a plain comment
      const [, kind, name, rest] = match as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      if (kind === 'HELP') {
        if (help.has(name)) throw new Error(`HELP twice for ${name}`);
        help.set(name, rest);
      } else {
        if (families.has(name)) throw new Error(`TYPE twice for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`unknown type in: ${line}`);
        current = { name, help: help.get(name) ?? '', type: rest as MetricType, samples: [] };
        if (!help.has(name)) throw new Error(`no HELP before TYPE for ${name}`);
        families.set(name, current);
      }
      continue;
    }
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace !== -1 && brace < space ? brace : space;
    const name = line.slice(0, nameEnd);
    if (!NAME.test(name)) throw new Error(`bad sample name in: ${line}`);
    let labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (line[nameEnd] === '{') {
      const parsed = parseLabels(line, nameEnd + 1);
      labels = parsed.labels;
      rest = line.slice(parsed.end);
    }
    const fields = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || fields.length < 1 || fields.length > 2) throw new Error(`bad sample line: ${line}`);
    if (current === undefined || !belongs(current, name)) throw new Error(`sample ${name} outside its family's TYPE block`);
    const key = `${name}${JSON.stringify(labels)}`;
    if (seen.has(key)) throw new Error(`series twice: ${key}`);
    seen.add(key);
    current.samples.push({ name, labels, value: parseValue(fields[0] ?? '', line) });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}
