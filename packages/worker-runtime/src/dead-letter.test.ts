import { describe, expect, it } from 'vitest';
import { deadLetterRecord, dlqHeaders } from './dead-letter.js';
import { WorkerError } from './worker-error.js';

describe('deadLetterRecord', () => {
  const message = {
    topic: 'documents.ingest',
    partition: 4,
    offset: '42',
    key: Buffer.from('acme:doc-1'),
    value: Buffer.from([0xde, 0xad]),
    headers: { traceparent: '00-abc-def-01' },
    timestamp: '1700000000000',
  };

  it('keeps key, bytes and headers unchanged and describes the failure', () => {
    const error = new WorkerError('HANDLER_FAILED', 'boom', { cause: new Error('root cause') });
    const record = deadLetterRecord(message, { error, attempts: 3, now: new Date('2026-01-02T03:04:05Z') });
    expect(record.key).toBe(message.key);
    expect(record.value).toBe(message.value);
    expect(record.headers).toMatchObject({
      traceparent: '00-abc-def-01',
      [dlqHeaders.errorCode]: 'HANDLER_FAILED',
      [dlqHeaders.errorMessage]: 'boom: root cause',
      [dlqHeaders.sourceTopic]: 'documents.ingest',
      [dlqHeaders.sourcePartition]: '4',
      [dlqHeaders.sourceOffset]: '42',
      [dlqHeaders.attempts]: '3',
      [dlqHeaders.failedAt]: '2026-01-02T03:04:05.000Z',
    });
    expect(String(record.headers[dlqHeaders.errorStack]).split('\n').length).toBeLessThanOrEqual(6);
  });

  it('describes non-Error throws', () => {
    const record = deadLetterRecord(message, { error: 'plain string', attempts: 1 });
    expect(record.headers[dlqHeaders.errorCode]).toBe('UNKNOWN');
    expect(record.headers[dlqHeaders.errorMessage]).toBe('plain string');
  });
});
