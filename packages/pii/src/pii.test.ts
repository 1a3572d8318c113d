import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compilePatterns, createPiiVault, detectPii, luhnValid, restoreTokens, tokensIn } from './index.js';

const found = (text: string, custom = compilePatterns([])) => detectPii(text, custom).map((m) => [m.kind, m.value]);

describe('detectPii', () => {
  it('finds each kind of personal data, exactly', () => {
    const text =
      'Mail jane.doe+rag@example.co.uk or call +1 415-555-0132 / (212) 555-0199. Card 4111 1111 1111 1111, ' +
      'IBAN DE89 3704 0044 0532 0130 00, host 192.168.10.24 and 2001:db8::8a2e:370:7334, SSN 219-09-9999.';
    expect(found(text)).toEqual([
      ['EMAIL', 'jane.doe+rag@example.co.uk'],
      ['PHONE', '+1 415-555-0132'],
      ['PHONE', '(212) 555-0199'],
      ['CARD', '4111 1111 1111 1111'],
      ['IBAN', 'DE89 3704 0044 0532 0130 00'],
      ['IP', '192.168.10.24'],
      ['IP', '2001:db8::8a2e:370:7334'],
      ['SSN', '219-09-9999'],
    ]);
  });

  it('leaves numbers that only look like personal data', () => {
    const text =
      'In 2012, 4111 1111 1111 1112 patients (p = 0.05; 95% CI 1.2-3.4) had 10.1016/j.cell.2012.01.001 cited; ' +
      'version 1.2.3.4.5, formula C::F and AC::, SSN-like 000-12-3456 and 666-12-3456, IBAN DE00 3704 0044 0532 0130 00, time 12:30:45, 300 mg/kg.';
    expect(found(text)).toEqual([]);
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('applies a tenant\'s own patterns, named by kind', () => {
    expect(found('Employee EMP-004211 filed it.', compilePatterns([{ name: 'employee_id', pattern: 'EMP-\\d{6}' }]))).toEqual([['EMPLOYEE_ID', 'EMP-004211']]);
    expect(() => compilePatterns([{ name: 'bad', pattern: '(' }])).toThrow(/pattern bad:/);
  });
});

describe('createPiiVault', () => {
  const vault = createPiiVault(randomBytes(32));

  it('gives a value the same token within a tenant and another token in another tenant', () => {
    const a = vault.redact('acme', 'Write to jane@example.com. Again: jane@example.com');
    const [token] = [...a.values.keys()];
    expect(a.text).toBe(`Write to ${token}. Again: ${token}`);
    expect(token).toMatch(/^\[EMAIL:[0-9a-f]{20}\]$/);
    expect(vault.redact('acme', 'jane@example.com').text).toBe(token);
    expect(vault.redact('globex', 'jane@example.com').text).not.toBe(token);
    expect(tokensIn(a.text)).toEqual([token, token]);
    expect(restoreTokens(a.text, a.values)).toBe('Write to jane@example.com. Again: jane@example.com');
  });

  it('seals values so that only the same tenant and token open them', () => {
    const token = vault.tokenFor('acme', 'SSN', '219-09-9999');
    const sealed = vault.seal('acme', token, '219-09-9999');
    expect(sealed.includes(Buffer.from('219-09-9999'))).toBe(false);
    expect(vault.open('acme', token, sealed)).toBe('219-09-9999');
    expect(() => vault.open('globex', token, sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => vault.open('acme', token, tampered)).toThrow();
  });
});
