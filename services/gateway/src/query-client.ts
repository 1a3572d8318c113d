import { SpanKind, trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { entityKey, topics, type QueryRequest, type QueryResponse, type Serde } from '@ragmesh/contracts';
import { extractTraceContext, injectTraceHeaders, type Logger } from '@ragmesh/telemetry';
import type { Kafka, Producer } from 'kafkajs';
import { GatewayError } from './gateway-error.js';

export interface QueryClientOptions {
  kafka: Kafka;
  producer: Pick<Producer, 'send'>;
  serde: Pick<Serde, 'encode' | 'decode'>;
  logger: Logger;
  /** Shared by every gateway instance: the group splits queries.response partitions among them. */
  groupId: string;
  instanceId: string;
  timeoutMs: number;
}

export type QueryAsk = Pick<QueryRequest, 'tenant' | 'text' | 'topK' | 'mode' | 'filter' | 'mmr' | 'answer' | 'generation'>;

/**
 * Request/reply over Kafka. Every gateway instance joins one consumer group on queries.response,
 * so each instance owns some of its partitions and reads only those; a request names one of the
 * asker's own partitions in `replyTo`, and the retriever publishes the reply there. Instances
 * therefore never read each other's replies, and adding instances (up to the partition count)
 * spreads the reply traffic. A rebalance can move a partition while a reply is in flight: that
 * query then times out (504) and the late reply, unknown to its new reader, is dropped.
 */
export function createQueryClient(options: QueryClientOptions) {
  const logger = options.logger.child({ component: 'query-client' });
  const pending = new Map<string, { resolve: (r: QueryResponse) => void; timer: NodeJS.Timeout }>();
  let owned: number[] = [];
  // Assigned but not yet in use: a partition is used only after the first fetch since the join,
  // by which time its start offset (the end, as nothing is committed) is resolved, so no reply
  // to a query sent on it can land before the reader's start.
  let assigned: number[] | null = null;
  let turn = 0;
  // The broker's minimum session: replies are handled in microseconds, and after a broker restart
  // the group waits out the session of the member it remembers before this instance owns
  // partitions again (queries answer 503 meanwhile).
  const consumer = options.kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100, sessionTimeout: 6_000, heartbeatInterval: 1_000 });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    owned = [];
    assigned = [...(event.payload.memberAssignment[topics.queriesResponse] ?? [])].sort((a, b) => a - b);
    logger.info('reply partitions assigned', { partitions: assigned });
  });
  consumer.on(consumer.events.FETCH, () => {
    if (assigned === null) return;
    owned = assigned;
    assigned = null;
  });
  consumer.on(consumer.events.CRASH, () => {
    owned = [];
    assigned = null;
  });

  return {
    async start(): Promise<void> {
      await consumer.connect();
      await consumer.subscribe({ topic: topics.queriesResponse, fromBeginning: false });
      // No offsets are committed: a commit after every batch is a round trip that the next
      // fetch (and so the next reply) waits for, and replies are worth nothing to a reader that
      // starts later (it has no pending queries), so each assignment starts at the end.
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message, partition }) => {
          let response: QueryResponse;
          try {
            response = await options.serde.decode(topics.queriesResponse, message.value);
          } catch (error) {
            logger.warn('undecodable reply dropped', { topic: topics.queriesResponse, partition, offset: message.offset, key: message.key?.toString(), error: String(error) });
            return;
          }
          // The reply's hop back, as a child of the retriever's span that published it.
          trace.getTracer('@ragmesh/gateway')
            .startSpan(`${topics.queriesResponse} receive`, { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topics.queriesResponse } }, extractTraceContext(message.headers))
            .end();
          const waiter = pending.get(response.queryId);
          if (!waiter) return;
          pending.delete(response.queryId);
          clearTimeout(waiter.timer);
          waiter.resolve(response);
        },
      });
    },
    /** Publishes a query and resolves with its reply, or rejects with DEADLINE_EXCEEDED. */
    async ask(query: QueryAsk): Promise<QueryResponse> {
      if (owned.length === 0) throw new GatewayError('UNAVAILABLE', 'this gateway instance owns no reply partition yet', { retriable: true });
      const partition = owned[turn++ % owned.length]!;
      const queryId = randomUUID();
      const request: QueryRequest = {
        ...query,
        queryId,
        deadline: Date.now() + options.timeoutMs,
        replyTo: { topic: topics.queriesResponse, partition, key: `${options.instanceId}:${queryId}` },
      };
      const reply = new Promise<QueryResponse>((resolve, reject) => {
        const timer = setTimeout(() => {
          // Forget the query: a late reply finds no waiter and is dropped, so nothing leaks.
          pending.delete(queryId);
          reject(new GatewayError('DEADLINE_EXCEEDED', `no reply within ${options.timeoutMs} ms`, { details: { queryId, timeoutMs: options.timeoutMs } }));
        }, options.timeoutMs);
        pending.set(queryId, { resolve, timer });
      });
      // The deadline can pass while the send below is still in flight; the rejection is handled
      // by whoever awaits `reply`, but it must never surface as an unhandled rejection meanwhile.
      reply.catch(() => undefined);
      try {
        await options.producer.send({
          topic: topics.queriesRequest,
          messages: [{ key: entityKey(query.tenant, queryId), value: options.serde.encode(topics.queriesRequest, request), headers: injectTraceHeaders({}) }],
        });
      } catch (error) {
        clearTimeout(pending.get(queryId)?.timer);
        pending.delete(queryId);
        throw error;
      }
      return reply;
    },
    isReady: () => owned.length > 0,
    pendingCount: () => pending.size,
    stop: () => consumer.disconnect(),
  };
}

export type QueryClient = ReturnType<typeof createQueryClient>;
