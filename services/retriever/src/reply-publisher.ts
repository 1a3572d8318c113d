import { topics, type Serde } from '@ragmesh/contracts';
import { injectTraceHeaders } from '@ragmesh/telemetry';
import type { Producer } from 'kafkajs';
import type { ReplyPublisher } from './app.js';

/** Kafka adapter: the reply goes to the partition the asking gateway instance reads. */
export function createReplyPublisher(deps: { producer: Pick<Producer, 'send'>; serde: Pick<Serde, 'encode'> }): ReplyPublisher {
  return {
    async publish({ replyTo, response, traceContext }) {
      await deps.producer.send({
        topic: replyTo.topic,
        messages: [
          {
            key: replyTo.key,
            partition: replyTo.partition ?? undefined,
            value: deps.serde.encode(topics.queriesResponse, response),
            headers: injectTraceHeaders({}, traceContext),
          },
        ],
      });
    },
  };
}
