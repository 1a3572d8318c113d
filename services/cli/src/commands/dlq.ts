import { kafkaClientOptions } from '@ragmesh/config';
import type { Logger } from '@ragmesh/telemetry';
import { createKafka, createProducer, dlqHeaders } from '@ragmesh/worker-runtime';
import type { KafkaMessage } from 'kafkajs';
import type { CliConfig } from '../config.js';

export interface DlqEntry {
  partition: number;
  offset: string;
  key: string | null;
  bytes: number;
  headers: Record<string, string>;
  message: KafkaMessage;
}

/** Reads every record currently in `<topic>.dlq` (up to `limit`) without committing anything. */
export async function readDlq(config: CliConfig, options: { topic: string; limit: number; logger: Logger }): Promise<DlqEntry[]> {
  const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-cli'), logger: options.logger });
  const dlq = `${options.topic}.dlq`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(dlq);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, p.high]));
  const entries: DlqEntry[] = [];
  if (remaining.size === 0) return entries;
  const consumer = kafka.consumer({ groupId: `ragmesh-cli-dlq-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: dlq, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (entries.length < options.limit) {
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
            entries.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, bytes: message.value?.length ?? 0, headers, message });
          }
          if (BigInt(message.offset) + 1n >= BigInt(remaining.get(partition) ?? '0')) remaining.delete(partition);
          if (remaining.size === 0 || entries.length >= options.limit) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return entries;
}

/**
 * Publishes DLQ records back to their source topic, bytes and original headers unchanged (the
 * `dlq.*` headers are dropped), e.g. after fixing the cause. Returns how many were replayed.
 */
export async function replayDlq(config: CliConfig, options: { topic: string; limit: number; logger: Logger; filter?: (e: DlqEntry) => boolean }): Promise<number> {
  const entries = (await readDlq(config, options)).filter(options.filter ?? (() => true));
  if (entries.length === 0) return 0;
  const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-cli'), logger: options.logger });
  const producer = await createProducer(kafka);
  const dlqHeaderNames = new Set<string>(Object.values(dlqHeaders));
  await producer.send({
    topic: options.topic,
    acks: -1,
    messages: entries.map((e) => ({
      key: e.message.key,
      value: e.message.value,
      headers: Object.fromEntries(Object.entries(e.message.headers ?? {}).filter(([k]) => !dlqHeaderNames.has(k))) as Record<string, Buffer | string>,
    })),
  });
  await producer.disconnect();
  return entries.length;
}
