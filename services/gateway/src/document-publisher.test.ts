import { describe, expect, it } from 'vitest';
import { createDocumentPublisher } from './document-publisher.js';

describe('document publisher', () => {
  it('fails with UNAVAILABLE when Kafka does not take the events within the timeout', async () => {
    const publisher = createDocumentPublisher({ producer: { send: () => new Promise(() => undefined) }, serde: { encode: () => Buffer.from('x') }, timeoutMs: 50 });
    const event = {
      eventId: 'e', op: 'UPSERT' as const, tenant: 't', documentId: 'd', uri: null, title: null, content: 'c', contentType: 'text/plain',
      metadata: {}, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: 1,
    };
    const started = Date.now();
    await expect(publisher.publish([event])).rejects.toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
