import { entityKey, topics, type Serde } from '@ragmesh/contracts';
import { injectTraceHeaders } from '@ragmesh/telemetry';
import type { Producer } from 'kafkajs';
import type { VectorPublisher } from './app.js';

/** Kafka adapter of VectorPublisher: one send for the whole slice, acknowledged by all replicas. */
export function createVectorPublisher(deps: { producer: Pick<Producer, 'send'>; serde: Pick<Serde, 'encode'> }): VectorPublisher {
  return {
    async publish(batches) {
      await deps.producer.send({
        topic: topics.vectorsUpsert,
        acks: -1,
        messages: batches.map(({ batch, traceContext }) => ({
          key: entityKey(batch.tenant, batch.documentId),
          value: deps.serde.encode(topics.vectorsUpsert, batch),
          headers: injectTraceHeaders({}, traceContext),
        })),
      });
    },
  };
}
