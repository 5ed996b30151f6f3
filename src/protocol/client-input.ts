/**
 * Client input echoed in an error message, cut to a bounded length. A message must never carry an unbounded
 * client string: a 32,760-character topic name plus our own words would overflow the 16-bit string of an
 * old-version response, and no client needs more than the start of it to recognise what it sent.
 */
export const MAX_ECHOED_CHARS = 160;

export function clientInput(input: string): string {
  return input.length <= MAX_ECHOED_CHARS ? input : `${input.slice(0, MAX_ECHOED_CHARS)}…`;
}
