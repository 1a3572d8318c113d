import { randomUUID } from 'node:crypto';
import { entityKey, topics, type DocumentEvent, type Serde } from '@ragmesh/contracts';
import { injectTraceHeaders } from '@ragmesh/telemetry';
import type { Producer } from 'kafkajs';
import { GatewayError } from './gateway-error.js';

/**
 * Publishes document events to documents.ingest and resolves only when every in-sync replica
 * has them, so a 202 is never answered for an event that could still be lost. A broker that
 * cannot take them within `timeoutMs` (5 s by default) fails the request with UNAVAILABLE (503,
 * Retry-After) instead of holding it: the client sends again, and a send that landed late after
 * all changes nothing (the same content hash is skipped).
 */
export function createDocumentPublisher(deps: { producer: Pick<Producer, 'send'>; serde: Pick<Serde, 'encode'>; timeoutMs?: number }) {
  let lastVersion = 0;
  return {
    /** A version (epoch ms) that never repeats within this process, so rapid updates stay ordered. */
    nextVersion(): number {
      lastVersion = Math.max(Date.now(), lastVersion + 1);
      return lastVersion;
    },
    newEventId: (): string => randomUUID(),
    async publish(events: DocumentEvent[]): Promise<void> {
      const timeoutMs = deps.timeoutMs ?? 5_000;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new GatewayError('UNAVAILABLE', `Kafka did not take the documents within ${timeoutMs} ms`, { retriable: true })), timeoutMs);
      });
      const sent = deps.producer.send({
        topic: topics.documentsIngest,
        acks: -1,
        messages: events.map((event) => ({
          key: entityKey(event.tenant, event.documentId),
          value: deps.serde.encode(topics.documentsIngest, event),
          headers: injectTraceHeaders({}),
        })),
      });
      sent.catch(() => undefined);
      try {
        await Promise.race([sent, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export type DocumentPublisher = ReturnType<typeof createDocumentPublisher>;
