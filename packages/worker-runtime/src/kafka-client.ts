import type { Logger } from '@ragmesh/telemetry';
import { Kafka, logLevel, Partitioners, type KafkaConfig, type LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** true for TLS with the system's CAs, or node TLS options (a private CA: `{ ca: [pem] }`). */
  ssl?: boolean | { ca: string[] };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
  logger: Logger;
}

const levels: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through the service's winston logger. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const logger = options.logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    ssl: options.ssl ?? false,
    connectionTimeout: 3_000,
    // Retries (reconnects, metadata, sends) at most 5 s apart: after a broker restart a client
    // is back within seconds. kafkajs' default backoff grows to 30 s. The number of retries stays
    // kafkajs' own (unlimited for the idempotent producer, which needs it for its guarantees).
    retry: { initialRetryTime: 300, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...fields } = log;
        logger.log(levels[level] ?? 'info', message, fields);
      },
  };
  if (options.sasl) config.sasl = options.sasl as KafkaConfig['sasl'];
  return new Kafka(config);
}

/**
 * A connected idempotent producer: retries inside the client cannot duplicate records, and
 * every send waits for all in-sync replicas.
 */
export async function createProducer(kafka: Kafka) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // murmur2, as the Java client, so any Confluent-compatible producer picks the same partition for a key.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

/**
 * A connected producer for request/reply traffic (queries.request, queries.response). Not
 * idempotent, so concurrent sends are not serialized behind one in-flight request: with many
 * queries answered at once, each reply leaves as soon as it is ready. A retried send can
 * duplicate a record, which request/reply tolerates: the asker keeps only the first reply to a
 * query id, and a duplicated request is answered twice.
 */
export async function createRequestReplyProducer(kafka: Kafka) {
  const producer = kafka.producer({
    idempotent: false,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}
