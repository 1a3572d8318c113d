import { kafkaClientOptions } from '@ragmesh/config';
import { createKafka, ensureTopics, meshTopics, reconcileTopicConfigs, type TopicChange } from '@ragmesh/worker-runtime';
import type { Logger } from '@ragmesh/telemetry';
import type { CliConfig } from '../config.js';

/**
 * Waits until the brokers answer a metadata request, creates every mesh topic that is missing and
 * brings existing ones to their configs (documents.ingest compacted). Idempotent: run it at deploy
 * time and from `make stack-up`.
 */
export async function ensureMeshTopics(config: CliConfig, options: { logger: Logger; waitSeconds: number }): Promise<{ created: string[]; changed: TopicChange[] }> {
  const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-cli'), logger: options.logger });
  const admin = kafka.admin();
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    try {
      await admin.connect();
      await admin.describeCluster();
      break;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`Kafka at ${config.KAFKA_BROKERS.join(',')} did not answer metadata within ${options.waitSeconds}s`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    const specs = meshTopics({ ingest: config.TOPIC_PARTITIONS_INGEST, queries: config.TOPIC_PARTITIONS_QUERIES });
    const created = await ensureTopics(admin, specs, config.TOPIC_REPLICATION_FACTOR);
    const changed = await reconcileTopicConfigs(admin, specs.filter((s) => !created.includes(s.topic)));
    return { created, changed };
  } finally {
    await admin.disconnect();
  }
}
