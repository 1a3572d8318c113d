import { isIP } from 'node:net';
import { isValidIBAN } from 'ibantools';
import { findNumbers } from 'libphonenumber-js/max';

/** Kinds of personal data found without any tenant configuration. */
export const builtInPiiKinds = ['EMAIL', 'PHONE', 'CARD', 'IBAN', 'IP', 'SSN'] as const;

/** A tenant-defined detector: its name becomes the token's kind (upper-cased). */
export interface PiiPattern {
  name: string;
  pattern: string;
}

export interface PiiMatch {
  kind: string;
  start: number;
  end: number;
  value: string;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// 13 to 19 digits, optionally grouped by single spaces or dashes; the Luhn check decides.
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/g;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g;
const IPV6 = /(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])/g;
const SSN = /(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])/g;

/** The Luhn checksum every payment card number satisfies. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

interface Detector {
  kind: string;
  regex: RegExp;
  accept?: (value: string) => boolean;
}

function* regexMatches(text: string, { kind, regex, accept = () => true }: Detector): Generator<PiiMatch> {
  for (const m of text.matchAll(regex)) {
    if (m[0].length > 0 && accept(m[0])) yield { kind, start: m.index, end: m.index + m[0].length, value: m[0] };
  }
}

/** Compiles tenant patterns once; throws naming the pattern that does not compile. */
export function compilePatterns(patterns: readonly PiiPattern[]): { kind: string; regex: RegExp }[] {
  return patterns.map((p) => {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(p.name)) throw new Error(`pattern name "${p.name}": letters, digits and _ only, starting with a letter`);
    try {
      return { kind: p.name.toUpperCase(), regex: new RegExp(p.pattern, 'g') };
    } catch (error) {
      throw new Error(`pattern ${p.name}: ${(error as Error).message}`);
    }
  });
}

/**
 * Every piece of personal data in `text`: e-mail addresses, phone numbers (valid for their
 * country; numbers without a country code are read as US), payment card numbers (Luhn), IBANs
 * (checksum), IPv4 and IPv6 addresses, US social security numbers, and the tenant's own
 * patterns. Overlaps resolve to the earliest, then longest, match.
 */
export function detectPii(text: string, custom: readonly { kind: string; regex: RegExp }[] = []): PiiMatch[] {
  const found: PiiMatch[] = [
    ...regexMatches(text, { kind: 'EMAIL', regex: EMAIL }),
    ...regexMatches(text, { kind: 'CARD', regex: CARD, accept: (v) => luhnValid(v.replace(/[ -]/g, '')) && !/^(\d)\1+$/.test(v.replace(/[ -]/g, '')) }),
    ...regexMatches(text, { kind: 'IBAN', regex: IBAN, accept: (v) => isValidIBAN(v.replace(/ /g, '')) }),
    ...regexMatches(text, { kind: 'IP', regex: IPV4, accept: (v) => isIP(v) === 4 }),
    // IPv6 needs a group of 3+ hex digits: "C::F" in a formula is not an address, "fe80::1" is.
    ...regexMatches(text, { kind: 'IP', regex: IPV6, accept: (v) => isIP(v) === 6 && /[0-9A-Fa-f]{3}/.test(v) }),
    ...regexMatches(text, { kind: 'SSN', regex: SSN }),
    ...custom.flatMap(({ kind, regex }) => [...regexMatches(text, { kind, regex: new RegExp(regex.source, regex.flags) })]),
  ];
  for (const n of findNumbers(text, { defaultCountry: 'US', v2: true })) {
    // Only numbers written as phone numbers: an international prefix or separators between groups.
    const raw = text.slice(n.startsAt, n.endsAt);
    if (n.number.isValid() && (raw.startsWith('+') || /\d[\s().-]+\d/.test(raw))) found.push({ kind: 'PHONE', start: n.startsAt, end: n.endsAt, value: raw });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PiiMatch[] = [];
  for (const m of found) if (kept.length === 0 || m.start >= kept.at(-1)!.end) kept.push(m);
  return kept;
}
