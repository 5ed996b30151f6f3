/**
 * JSON from clients (HTTP bodies, schema texts) is nested at most MAX_JSON_DEPTH levels: the recursive walks that
 * follow (JSON.stringify, the registry's canonical forms and key sorting, String() of an array) overflowed the stack
 * on 100,000 nested arrays, a 500 for a client's mistake. Jackson's default limit, which Confluent's tools use, is
 * the same.
 */
export const MAX_JSON_DEPTH = 1000;

/** JSON.parse, refusing text nested deeper than MAX_JSON_DEPTH with a SyntaxError (as JSON.parse's own errors). */
export function parseJsonText(text: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return JSON.parse(text);
}
