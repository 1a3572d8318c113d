import { context, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import type { Serde, Topic, TopicEvents } from '@ragmesh/contracts';
import { dlqTopic } from '@ragmesh/contracts';
import { extractTraceContext, type Logger } from '@ragmesh/telemetry';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.js';
import { deadLetterRecord } from './dead-letter.js';
import { createRuntimeMetrics } from './runtime-metrics.js';
import { configurationProblem, errorCode, isInfrastructureError, isRetriable } from './worker-error.js';

/** One decoded message handed to a handler, with what is needed to log and trace it. */
export interface WorkerMessage<E> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  event: E;
  headers: IHeaders;
  /** Trace context carried by the message; pass it on when publishing what it caused. */
  traceContext: Context;
}

export interface HandlerContext {
  /** Keeps the group membership alive during long work; cheap to call often. */
  heartbeat: () => Promise<void>;
}

/**
 * Handles a batch of messages of one partition. It must make its effects durable before it
 * resolves: the runtime commits the offsets right after. It must be idempotent, since a batch is
 * redelivered after a crash and retried after a retriable error.
 */
export type BatchHandler<E> = (messages: WorkerMessage<E>[], ctx: HandlerContext) => Promise<void>;

export interface ConsumerWorkerOptions<T extends Topic> {
  kafka: Kafka;
  /** Connected producer used for the DLQ (and usually shared with the handler). */
  producer: Producer;
  serde: Serde;
  topic: T;
  /** Physical topic to consume when it differs from the logical one (tests, migrations). */
  topicName?: string;
  groupId: string;
  handler: BatchHandler<TopicEvents[T]>;
  logger: Logger;
  backoff?: BackoffOptions;
  /** Largest slice of a fetched batch handed to the handler at once. */
  maxBatchMessages?: number;
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  /** Group session timeout; a killed consumer's partitions move after this long. Default 30 s. */
  sessionTimeoutMs?: number;
  /**
   * Commit offsets at most this often instead of after every slice. Each commit is a round trip
   * to the group coordinator that the next fetch waits for, which a request/reply topic feels in
   * its latency; the price is that a consumer that dies redelivers up to this much. Only for
   * handlers whose redelivery is harmless (the retriever's: a replayed query is answered again
   * or, past its deadline, skipped). Unset: commit after every fetched batch, and mid-batch once
   * a second.
   */
  commitIntervalMs?: number;
  /**
   * Called after a message went to the DLQ (best effort: a failure here is logged, not retried),
   * e.g. to mark the document failed. `event` is absent when the message did not decode.
   */
  onDeadLetter?: (failure: { key: string | null; event?: TopicEvents[T]; error: unknown }) => Promise<void>;
  /**
   * What to do with a message that does not decode: `dead-letter` (the default), or `skip` for a
   * consumer that reads a log another consumer already reports on (a re-index generation's
   * replay of documents.ingest: the live one dead-lettered it when it arrived).
   */
  undecodable?: 'dead-letter' | 'skip';
  /** Called when the consumer crashed for good; main should exit so a supervisor restarts it. */
  onCrash?: (error: Error) => void;
  /** How often a partition held by a configuration problem (see configurationProblem) tries again. Default 30 s. */
  configurationRecheckMs?: number;
}

type Attempt = { ok: true } | { ok: false; error: unknown; attempts: number } | { aborted: true };

const HEARTBEAT_EVERY_MS = 2_000;

/**
 * A Kafka consumer that decodes Avro, hands slices of each batch to `handler`, retries retriable
 * failures with backoff, sends poison messages to `<topic>.dlq` with the reason in headers, and
 * commits offsets only after the handler's effects are durable.
 */
export function createConsumerWorker<T extends Topic>(options: ConsumerWorkerOptions<T>) {
  const { serde, producer, handler } = options;
  const schemaTopic = options.topic;
  const topic = options.topicName ?? options.topic;
  const logger = options.logger.child({ component: 'consumer', topic, groupId: options.groupId });
  const backoff = options.backoff ?? defaultBackoff;
  const maxBatchMessages = options.maxBatchMessages ?? 256;
  const metrics = createRuntimeMetrics(options.groupId);
  // Taken here, not at module load: ESM imports run before main.ts registers the SDK.
  const tracer = trace.getTracer('@ragmesh/worker-runtime');
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    // Offsets are resolved by hand after durable effects and committed as run() below sets up.
    maxWaitTimeInMs: 100,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    // Records may be as large as the broker's message.max.bytes (16 MB for whole documents).
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    // Reconnects and restarts after a broker outage at most 5 s apart (kafkajs' default grows to
    // 30 s, which left consumers idle for half a minute after the broker was back).
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  let joined = false;
  let stopping = false;
  // Partitions held by a dependency refusing this service, with the reason: readiness reports them.
  const refused = new Map<number, string>();

  consumer.on(consumer.events.GROUP_JOIN, () => {
    metrics.joins.add(1, { group: options.groupId });
    joined = true;
    refused.clear(); // partitions may have moved; a held one reports itself again on its next try
  });
  consumer.on(consumer.events.CRASH, (event) => {
    joined = false;
    logger.error('consumer crashed', { error: event.payload.error.message, restart: event.payload.restart });
    if (!event.payload.restart) options.onCrash?.(event.payload.error);
  });

  const messageFields = (m: { partition: number; offset: string; key: Buffer | string | null }) => ({
    topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key?.toString() ?? null,
  });

  async function sleepWithHeartbeat(ms: number, payload: EachBatchPayload): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && payload.isRunning() && !payload.isStale()) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(until - Date.now(), HEARTBEAT_EVERY_MS)));
      await payload.heartbeat().catch(() => undefined);
    }
  }

  async function attempt(run: () => Promise<void>, payload: EachBatchPayload, describe: object): Promise<Attempt> {
    const partition = payload.batch.partition;
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        await run();
        if (refused.delete(partition)) logger.info('configuration problem cleared, consuming again', { ...describe });
        return { ok: true };
      } catch (error) {
        // Refused credentials or grants: not the message's fault (no DLQ) and not an outage that
        // passes by itself (no tight retry). Hold the partition, say why, look again later.
        const problem = configurationProblem(error);
        if (problem) {
          if (refused.get(partition) !== problem) logger.error('a dependency refuses this service; holding the partition until the configuration changes', { ...describe, problem });
          refused.set(partition, problem);
          await sleepWithHeartbeat(options.configurationRecheckMs ?? 30_000, payload);
          if (!payload.isRunning() || payload.isStale()) return { aborted: true };
          attemptNo = 0;
          continue;
        }
        const retriable = isRetriable(error);
        // An outage of the broker, database, cache, registry or model API is waited out however
        // long it lasts (the partition pauses, lag grows, the logs say why); only a failure that
        // may lie in the message itself is given up on and dead-lettered.
        const infrastructure = retriable && isInfrastructureError(error);
        if (!retriable || (attemptNo >= backoff.attempts && !infrastructure)) return { ok: false, error, attempts: attemptNo };
        metrics.retries.add(1, { topic });
        logger.warn(infrastructure ? 'infrastructure unavailable, retrying' : 'handler failed, retrying', { ...describe, attempt: attemptNo, code: errorCode(error), error: String(error) });
        await sleepWithHeartbeat(backoffDelay(attemptNo, backoff), payload);
        // A retry that would outlive shutdown is abandoned: the uncommitted slice is redelivered.
        if (!payload.isRunning() || payload.isStale()) return { aborted: true };
      }
    }
  }

  async function deadLetter(message: KafkaMessage, partition: number, failure: { error: unknown; attempts: number; event?: TopicEvents[T] }) {
    const fields = messageFields({ partition, offset: message.offset, key: message.key });
    const record = deadLetterRecord({ ...message, topic, partition, headers: message.headers ?? {} }, failure);
    await producer.send({ topic: dlqTopic(topic), acks: -1, messages: [record] });
    metrics.deadLettered.add(1, { topic, code: errorCode(failure.error) });
    logger.error('message sent to DLQ', { ...fields, code: errorCode(failure.error), attempts: failure.attempts, error: String(failure.error) });
    if (options.onDeadLetter) {
      const key = message.key?.toString() ?? null;
      await options.onDeadLetter({ key, event: failure.event, error: failure.error }).catch((error: unknown) => {
        logger.warn('dead-letter hook failed', { ...fields, error: String(error) });
      });
    }
  }

  /** Returns false when the slice was abandoned for shutdown and must not be committed. */
  async function processSlice(slice: KafkaMessage[], payload: EachBatchPayload): Promise<boolean> {
    const partition = payload.batch.partition;
    const decoded: { raw: KafkaMessage; message: WorkerMessage<TopicEvents[T]> }[] = [];
    for (const raw of slice) {
      // A tombstone (null value) only tells compaction to forget the key (tenants purge): nothing to do.
      if (raw.value === null) continue;
      let event: TopicEvents[T] | undefined;
      const result = await attempt(
        async () => {
          event = await serde.decode(schemaTopic, raw.value);
        },
        payload,
        messageFields({ partition, offset: raw.offset, key: raw.key }),
      );
      if ('aborted' in result) return false;
      if (!result.ok) {
        if (options.undecodable === 'skip') logger.debug('undecodable message skipped', messageFields({ partition, offset: raw.offset, key: raw.key }));
        else await deadLetter(raw, partition, result);
        continue;
      }
      decoded.push({
        raw,
        message: {
          topic,
          partition,
          offset: raw.offset,
          key: raw.key?.toString() ?? null,
          event: event as TopicEvents[T],
          headers: raw.headers ?? {},
          traceContext: extractTraceContext(raw.headers),
        },
      });
    }
    if (decoded.length === 0) return true;

    const ctx: HandlerContext = { heartbeat: () => payload.heartbeat() };
    const range = { topic, partition, firstOffset: slice[0]?.offset, lastOffset: slice.at(-1)?.offset };
    const whole = await runTraced(decoded.map((d) => d.message), () => attempt(() => handler(decoded.map((d) => d.message), ctx), payload, range));
    if ('aborted' in whole) return false;
    if (whole.ok) return true;
    if (decoded.length === 1) {
      await deadLetter(decoded[0]!.raw, partition, { ...whole, event: decoded[0]!.message.event });
      return true;
    }
    // Isolate the failing message(s): handle one at a time so one poison message does not
    // send its whole batch to the DLQ.
    logger.warn('batch failed, handling messages one by one', { ...range, code: errorCode(whole.error), error: String(whole.error) });
    for (const { raw, message } of decoded) {
      const single = await runTraced([message], () =>
        attempt(() => handler([message], ctx), payload, messageFields({ partition, offset: raw.offset, key: raw.key })),
      );
      if ('aborted' in single) return false;
      if (!single.ok) await deadLetter(raw, partition, { ...single, event: message.event });
    }
    return true;
  }

  async function runTraced(messages: WorkerMessage<unknown>[], run: () => Promise<Attempt>): Promise<Attempt> {
    const links = messages
      .map((m) => trace.getSpanContext(extractTraceContext(m.headers)))
      .filter((c) => c !== undefined)
      .map((spanContext) => ({ context: spanContext }));
    // One message: its span is a child of the producer's, and what the handler publishes (it
    // passes `message.traceContext` on) a child of this span, so a trace reads hop by hop. A batch
    // links every producer's span instead, and its messages keep their producers' contexts.
    const single = messages.length === 1 ? messages[0]! : undefined;
    const parent = single ? extractTraceContext(single.headers) : undefined;
    const span = tracer.startSpan(`${topic} process`, { kind: SpanKind.CONSUMER, links, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.batch.message_count': messages.length } }, parent);
    const active = trace.setSpan(parent ?? context.active(), span);
    if (single) single.traceContext = active;
    try {
      // Active while the handler runs: the Postgres, Redis and HTTP calls it makes become child spans.
      const result = await context.with(active, run);
      if ('ok' in result && !result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: String(result.error) });
      return result;
    } finally {
      span.end();
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeats = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    try {
      for (let start = 0; start < batch.messages.length; start += maxBatchMessages) {
        if (!payload.isRunning() || payload.isStale()) return;
        const slice = batch.messages.slice(start, start + maxBatchMessages);
        const started = performance.now();
        const complete = await processSlice(slice, payload);
        if (!complete) return;
        const last = slice.at(-1)!;
        payload.resolveOffset(last.offset);
        await payload.commitOffsetsIfNecessary();
        const attributes = { topic, partition: String(batch.partition) };
        metrics.batchSize.record(slice.length, { topic, group: options.groupId });
        metrics.batchDuration.record((performance.now() - started) / 1000, { topic, group: options.groupId });
        metrics.messages.add(slice.length, { topic, group: options.groupId });
        metrics.setLag(attributes, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
      }
    } finally {
      clearInterval(heartbeats);
    }
  }

  return {
    /** Connects, subscribes and starts consuming; resolves once the consumer is running. */
    async start(): Promise<void> {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
      // By default kafkajs commits after every fetched batch, and eachBatch's
      // commitOffsetsIfNecessary commits mid-batch once a second has passed since the last commit,
      // so a long batch (minutes of embedding) never has more than a second of work to redo.
      // With commitIntervalMs, the per-batch commit is off and only the interval applies.
      const interval = options.commitIntervalMs;
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: interval === undefined,
        autoCommitInterval: interval ?? 1_000,
        autoCommitThreshold: null,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachBatch,
      });
    },
    /** Stops fetching, lets the in-flight slice finish and commit, then leaves the group. */
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      await consumer.disconnect();
      joined = false;
    },
    isJoined: () => joined,
    /** Why a dependency refuses this service (credentials, grants, ACLs), if one does. */
    configurationProblem: (): string | undefined => refused.values().next().value,
    consumer,
  };
}

export type ConsumerWorker = ReturnType<typeof createConsumerWorker>;
