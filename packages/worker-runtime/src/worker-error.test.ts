import { describe, expect, it } from 'vitest';
import { errorCode, isRetriable, WorkerError } from './worker-error.js';

describe('isRetriable', () => {
  it('trusts an explicit retriable flag', () => {
    expect(isRetriable(new WorkerError('HANDLER_FAILED', 'x', { retriable: true }))).toBe(true);
    expect(isRetriable(new WorkerError('HANDLER_FAILED', 'x'))).toBe(false);
  });

  it('retries network errors and transient Postgres states, also when wrapped', () => {
    expect(isRetriable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetriable(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isRetriable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '40001' }) }))).toBe(true);
  });

  it('does not retry constraint violations or plain errors', () => {
    expect(isRetriable(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    expect(isRetriable(new Error('bad'))).toBe(false);
    expect(isRetriable(null)).toBe(false);
  });

  it('gives a stable code', () => {
    expect(errorCode(new WorkerError('RETRIES_EXHAUSTED', 'x'))).toBe('RETRIES_EXHAUSTED');
    expect(errorCode(new Error('x'))).toBe('UNKNOWN');
  });
});
