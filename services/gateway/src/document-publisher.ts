import { randomUUID } from 'node:crypto';
import { entityKey, topics, type DocumentEvent, type Serde } from '@ragmesh/contracts';
import { injectTraceHeaders } from '@ragmesh/telemetry';
import type { Producer } from 'kafkajs';

/**
 * Publishes document events to documents.ingest and resolves only when every in-sync replica
 * has them, so a 202 is never answered for an event that could still be lost.
 */
export function createDocumentPublisher(deps: { producer: Pick<Producer, 'send'>; serde: Pick<Serde, 'encode'> }) {
  let lastVersion = 0;
  return {
    /** A version (epoch ms) that never repeats within this process, so rapid updates stay ordered. */
    nextVersion(): number {
      lastVersion = Math.max(Date.now(), lastVersion + 1);
      return lastVersion;
    },
    newEventId: (): string => randomUUID(),
    async publish(events: DocumentEvent[]): Promise<void> {
      await deps.producer.send({
        topic: topics.documentsIngest,
        acks: -1,
        messages: events.map((event) => ({
          key: entityKey(event.tenant, event.documentId),
          value: deps.serde.encode(topics.documentsIngest, event),
          headers: injectTraceHeaders({}),
        })),
      });
    },
  };
}

export type DocumentPublisher = ReturnType<typeof createDocumentPublisher>;
