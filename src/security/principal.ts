/**
 * The principal of a TLS client certificate, as Kafka's DefaultKafkaPrincipalBuilder with SslPrincipalMapper: the
 * subject's distinguished name in RFC 2253 form (most specific first: `CN=alice,OU=eng,O=acme`), rewritten by the
 * first matching rule of `ssl.principal.mapping.rules`:
 *
 *   RULE:^CN=(.*?),OU=(.*?)$/$1@$2/L,RULE:^CN=([^,]*).*$/$1/,DEFAULT
 *
 * A rule's pattern must match the whole name; `$1`… refer to its groups; a trailing `L` or `U` lower- or
 * upper-cases the result; DEFAULT keeps the name as it is. When no rule matches, authentication fails.
 */
import { ConfigError } from '../config.js';

export type PrincipalRule = { kind: 'default' } | { kind: 'rule'; pattern: RegExp; replacement: string; caseChange: '' | 'L' | 'U' };

/** Reads up to the next unescaped '/', returning it and where it stopped. */
function untilSlash(text: string, from: number): [string, number] {
  let out = '';
  let i = from;
  for (; i < text.length && text[i] !== '/'; i++) {
    if (text[i] === '\\' && i + 1 < text.length) out += text[i++];
    out += text[i];
  }
  if (i >= text.length) throw new ConfigError(`ssl.principal.mapping.rules: a RULE needs pattern/replacement/, near '${text.slice(from)}'`);
  return [out, i + 1];
}

export function parsePrincipalRules(text: string): PrincipalRule[] {
  const rules: PrincipalRule[] = [];
  let i = 0;
  const skipSeparators = () => { while (i < text.length && /[\s,]/.test(text[i])) i++; };
  skipSeparators();
  while (i < text.length) {
    if (text.startsWith('DEFAULT', i)) {
      rules.push({ kind: 'default' });
      i += 'DEFAULT'.length;
    } else if (text.startsWith('RULE:', i)) {
      const [pattern, afterPattern] = untilSlash(text, i + 5);
      const [replacement, afterReplacement] = untilSlash(text, afterPattern);
      i = afterReplacement;
      const caseChange = text[i] === 'L' || text[i] === 'U' ? text[i++] as 'L' | 'U' : '';
      let regex: RegExp;
      try {
        regex = new RegExp(`^(?:${pattern})$`);
      } catch (err) {
        throw new ConfigError(`ssl.principal.mapping.rules: bad pattern '${pattern}': ${(err as Error).message}`);
      }
      rules.push({ kind: 'rule', pattern: regex, replacement: replacement.replace(/\\(.)/g, '$1'), caseChange });
    } else {
      throw new ConfigError(`ssl.principal.mapping.rules: expected RULE:pattern/replacement/[LU] or DEFAULT at '${text.slice(i)}'`);
    }
    skipSeparators();
  }
  return rules.length > 0 ? rules : [{ kind: 'default' }];
}

/** The principal name for a subject DN, or null when no rule applies (the client is then refused). */
export function mapPrincipal(dn: string, rules: readonly PrincipalRule[]): string | null {
  for (const rule of rules) {
    if (rule.kind === 'default') return dn;
    if (!rule.pattern.test(dn)) continue;
    const mapped = dn.replace(rule.pattern, rule.replacement);
    return rule.caseChange === 'L' ? mapped.toLowerCase() : rule.caseChange === 'U' ? mapped.toUpperCase() : mapped;
  }
  return null;
}

/**
 * RFC 2253 form of node:crypto's X509Certificate.subject, which lists the RDNs one per line in certificate order
 * (most general first) with RFC 2253 escaping already applied: reversed and comma-joined, as Java's
 * X500Principal.getName() gives it.
 */
export function rfc2253(subject: string): string {
  return subject.split('\n').filter(Boolean).reverse().map((rdn) => rdn.replace(/ \+ /g, '+')).join(',');
}
