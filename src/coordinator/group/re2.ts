/**
 * RE2 syntax, as Kafka reads a consumer group's subscription regex (KIP-848, Google's RE2/J), written as a JavaScript
 * pattern V8's linear-time engine runs (no `u` flag, no `i`, no counted repetition above 16):
 *
 *   \Q...\E        a literal, each character escaped
 *   \A, \z         ^ and $
 *   \pL, \p{Greek} the characters' ranges, spelled out by regexpu-core (a script by its name; \P: the complement)
 *   [[:alpha:]]    the ASCII class's ranges (RE2's POSIX classes; a negated one is refused)
 *   (?P<name>...)  (?<name>...)
 *   x{n,m}         x written n times, then m - n times x? (x* for {n,}): the engine refuses counts above 16,
 *                  RE2 takes up to 1000; a copied group loses its capture (a name may appear once)
 *
 * What RE2 has and this cannot write is refused (null: INVALID_REGULAR_EXPRESSION), e.g. flags such as (?i), \C,
 * octal escapes; what RE2 itself refuses (backreferences, lookaround) the engine refuses.
 */
import { requirePackage } from '../../require-package.js';

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** RE2's largest repetition count. */
const MAX_REPEAT = 1000;
/** The longest pattern written out (expanded repetitions): beyond, refused, as RE2 refuses programs too large. */
const MAX_WRITTEN = 20_000;

let regexpu: typeof import('regexpu-core').default | undefined;

/** \p{..} or \P{..} as a pattern without `u`, or null if regexpu-core does not know the property. */
function unicodeClass(escape: string): string | null {
  try {
    regexpu ??= requirePackage<typeof import('regexpu-core').default>('regexpu-core');
    return regexpu(escape, 'u', { unicodePropertyEscapes: 'transform', unicodeFlag: 'transform' });
  } catch {
    return null;
  }
}

/** A bracketed class from `start` ('['): its JavaScript text and where it ends, or null. */
function classAt(source: string, start: number): { text: string; end: number } | null {
  let i = start + 1;
  let text = '[';
  if (source[i] === '^') text += source[i++];
  if (source[i] === ']') {
    text += '\\]';
    i++;
  }
  while (i < source.length && source[i] !== ']') {
    if (source.startsWith('[:', i)) {
      const posix = /^\[:([a-z]+):\]/.exec(source.slice(i));
      if (!posix || !Object.hasOwn(POSIX_CLASSES, posix[1])) return null;
      text += POSIX_CLASSES[posix[1]];
      i += posix[0].length;
    } else if (source[i] === '\\') {
      const next = source[i + 1];
      if (next === undefined || 'pPQ'.includes(next)) return null;
      text += source.slice(i, i + 2);
      i += 2;
    } else {
      text += source[i] === '[' ? '\\[' : source[i];
      i++;
    }
  }
  return i < source.length ? { text: `${text}]`, end: i + 1 } : null;
}

/** A literal character as a pattern. */
const literal = (c: string) => (/[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c);

/** The JavaScript pattern for an RE2 regex, or null when it cannot be written (see above). */
export function re2ToJavaScript(source: string): string | null {
  const out: string[] = [];
  /** Where each open group's text starts in `out`. */
  const groups: number[] = [];
  /** Where the last atom a quantifier may follow starts in `out` (null: none, e.g. after '|' or a quantifier). */
  let atom: number | null = null;
  const pushAtom = (text: string) => {
    atom = out.length;
    out.push(text);
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined || next === 'C' || /[1-9]/.test(next)) return null;
      if (next === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        for (const ch of source.slice(i + 2, end < 0 ? undefined : end)) pushAtom(literal(ch));
        i = end < 0 ? source.length : end + 2;
      } else if (next === 'A' || next === 'z') {
        out.push(next === 'A' ? '^' : '$');
        atom = null;
        i += 2;
      } else if (next === 'p' || next === 'P') {
        const braced = source[i + 2] === '{';
        const close = braced ? source.indexOf('}', i + 3) : i + 2;
        if (close < 0 || close >= source.length) return null;
        const name = braced ? source.slice(i + 3, close) : source[i + 2];
        // RE2's \p{Greek} is a script: JavaScript spells it \p{Script=Greek}.
        const spelled = unicodeClass(`\\${next}{${name}}`) ?? unicodeClass(`\\${next}{Script=${name}}`);
        if (spelled === null) return null;
        pushAtom(`(?:${spelled})`);
        i = close + 1;
      } else {
        pushAtom(source.slice(i, i + 2));
        i += 2;
      }
    } else if (c === '[') {
      const cls = classAt(source, i);
      if (!cls) return null;
      pushAtom(cls.text);
      i = cls.end;
    } else if (c === '(') {
      const named = /^\(\?P?<([A-Za-z_]\w*)>/.exec(source.slice(i));
      let open: string;
      if (named) open = `(?<${named[1]}>`;
      else if (source.startsWith('(?:', i)) open = '(?:';
      else if (source[i + 1] === '?') return null; // flags, lookaround: not RE2 we can write
      else open = '(';
      groups.push(out.length);
      out.push(open);
      atom = null;
      i += named ? named[0].length : open.length;
    } else if (c === ')') {
      const start = groups.pop();
      if (start === undefined) return null;
      out.push(')');
      atom = start;
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      if (atom === null) return null;
      // A lazy one (x*?) is written greedy: the whole name must match, so which match is found does not matter.
      out.push(c);
      atom = null;
      i += source[i + 1] === '?' ? 2 : 1;
    } else if (c === '{') {
      const count = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(i));
      if (!count) {
        pushAtom('\\{'); // not a repetition: a literal brace, as RE2 reads it
        i++;
        continue;
      }
      const min = Number(count[1]);
      const max = count[2] === undefined ? min : count[3] === '' ? Infinity : Number(count[3]);
      if (atom === null || min > MAX_REPEAT || (max !== Infinity && (max > MAX_REPEAT || max < min))) return null;
      // Copies of a group do not capture (a capture's name may appear once in a pattern).
      const text = out.splice(atom).join('').replace(/^\((?:\?<[A-Za-z_]\w*>)?(?!\?)/, '(?:');
      const written = text.repeat(min) + (max === Infinity ? `${text}*` : `${text}?`.repeat(max - min));
      if (written.length > MAX_WRITTEN) return null;
      out.push(written);
      atom = null;
      i += count[0].length;
    } else {
      if (c === '^' || c === '$' || c === '|') {
        out.push(c);
        atom = null;
      } else pushAtom(c === '/' ? '\\/' : c);
      i++;
    }
  }
  if (groups.length > 0) return null;
  const pattern = out.join('');
  return pattern.length > MAX_WRITTEN ? null : pattern;
}
