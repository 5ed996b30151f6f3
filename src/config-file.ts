/**
 * Config files: Java .properties (the full syntax of java.util.Properties.load, as Kafka's server.properties uses),
 * JSON and YAML. Each setting keeps the line it came from, for error messages.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ConfigError } from './config.js';
import { requirePackage } from './require-package.js';

export interface FileSetting { name: string; value: string; line: number }

export const CONFIG_FILE_EXTENSIONS = ['.properties', '.json', '.yaml', '.yml'];

/** Reads a config file into its settings, by its extension; throws ConfigError naming the file and line. */
export function parseConfigFile(path: string): FileSetting[] {
  const ext = extname(path).toLowerCase();
  if (!CONFIG_FILE_EXTENSIONS.includes(ext)) {
    throw new ConfigError(`config file ${path}: unknown kind '${ext || '(no extension)'}'; use ${CONFIG_FILE_EXTENSIONS.join(', ')}`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  if (ext === '.properties') return parseProperties(text, path);
  if (ext === '.json') return parseJson(path, text);
  return parseYaml(path, text);
}

function parseJson(path: string, text: string): FileSetting[] {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  return flatten(path, obj as Record<string, unknown>, () => 0);
}

/**
 * YAML: a mapping of settings, flat (`log.retention.ms: 1000`) or nested (`log: {retention: {ms: 1000}}`); a list
 * becomes a comma-separated value, as Kafka writes lists.
 */
function parseYaml(path: string, text: string): FileSetting[] {
  const YAML = requirePackage<typeof import('yaml')>('yaml');
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [error] = doc.errors;
  if (error) throw new ConfigError(`${path}:${lines.linePos(error.pos[0]).line}: not valid YAML: ${error.message.split('\n')[0]}`);
  const obj = doc.toJS() as unknown;
  if (obj === null || obj === undefined) return [];
  if (typeof obj !== 'object' || Array.isArray(obj)) throw new ConfigError(`config file ${path} must hold a YAML mapping of settings`);
  // The line of each setting: where its innermost key starts.
  const lineOf = (keys: string[]) => {
    const node = doc.getIn(keys, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lines.linePos(node.range[0]).line : 0;
  };
  return flatten(path, obj as Record<string, unknown>, lineOf);
}

function flatten(path: string, obj: Record<string, unknown>, lineOf: (keys: string[]) => number, keys: string[] = []): FileSetting[] {
  const out: FileSetting[] = [];
  for (const [key, value] of Object.entries(obj)) {
    const at = [...keys, key];
    const name = at.join('.');
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out.push(...flatten(path, value as Record<string, unknown>, lineOf, at));
    } else if (value === null || (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object'))) {
      throw new ConfigError(`${path}${lineOf(at) ? `:${lineOf(at)}` : ''}: ${name} needs a value (a string, number, boolean or list of them)`);
    } else {
      out.push({ name, value: Array.isArray(value) ? value.join(',') : String(value), line: lineOf(at) });
    }
  }
  return out;
}

/**
 * java.util.Properties.load: `key=value`, `key: value` or `key value`; `#` and `!` start comment lines; a line ending
 * in an odd number of backslashes continues on the next (whose leading blanks are dropped); escapes \t \n \r \f
 * \uXXXX, and a backslash before any other character stands for that character (`\=`, `\:`, `\ `, `\\`).
 */
export function parseProperties(text: string, path = '(properties)'): FileSetting[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: FileSetting[] = [];
  for (let i = 0; i < natural.length; i++) {
    const first = i + 1;
    let line = natural[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    while (endsInEscape(line) && i + 1 < natural.length) line = line.slice(0, -1) + natural[++i].replace(/^[ \t\f]+/, '');
    if (endsInEscape(line)) line = line.slice(0, -1); // a continuation at the end of the file
    // The key ends at the first unescaped '=', ':' or blank; blanks and one '=' or ':' separate it from the value.
    let k = 0;
    while (k < line.length && !'=: \t\f'.includes(line[k])) k += line[k] === '\\' ? 2 : 1;
    let v = k;
    while (v < line.length && ' \t\f'.includes(line[v])) v++;
    if (v < line.length && (line[v] === '=' || line[v] === ':')) v++;
    while (v < line.length && ' \t\f'.includes(line[v])) v++;
    const where = `${path}:${first}`;
    out.push({ name: unescape(line.slice(0, k), where), value: unescape(line.slice(v), where), line: first });
  }
  return out;
}

function endsInEscape(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string, where: string): string {
  return s.replace(/\\(u(.{0,4})|.?)/gs, (_, c: string, hex: string | undefined) => {
    if (hex === undefined) return ESCAPES[c] ?? c;
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ConfigError(`${where}: malformed \\uxxxx escape`);
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}
