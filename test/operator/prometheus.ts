/**
 * A strict parser of Prometheus' text exposition format 0.0.4, for tests: every line must be a comment (HELP,
 * TYPE), blank, or a sample `name{label="value",...} number`; each metric family's TYPE comes once, before its
 * samples. Throws on anything else.
 */
export interface Sample { name: string; labels: Record<string, string>; value: number }

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** Samples of `name` whose labels include every one of `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** Their sum (0 when none). */
  sum(name: string, labels?: Record<string, string>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = line.match(new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`));
    if (type) {
      if (types.has(type[1])) throw new Error(`line ${i + 1}: TYPE of ${type[1]} given twice`);
      types.set(type[1], type[2]);
      continue;
    }
    const m = line.match(SAMPLE);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[2].length) {
        const l = LABEL.exec(m[2]);
        if (!l) throw new Error(`line ${i + 1}: bad labels: ${m[2]}`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
    }
    // Case as Go's ParseFloat reads it (prom-client writes NaN as "Nan").
    const value = /^\+?inf$/i.test(m[3]) ? Infinity : /^-inf$/i.test(m[3]) ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && !/^nan$/i.test(m[3])) throw new Error(`line ${i + 1}: bad value ${m[3]}`);
    const family = [...types.keys()].find((t) => m[1] === t || (/_(bucket|sum|count)$/.test(m[1]) && m[1].replace(/_(bucket|sum|count)$/, '') === t));
    if (!family) throw new Error(`line ${i + 1}: sample ${m[1]} before its TYPE`);
    samples.push({ name: m[1], labels, value });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return { samples, types, find, sum: (name, labels) => find(name, labels).reduce((a, s) => a + s.value, 0) };
}
