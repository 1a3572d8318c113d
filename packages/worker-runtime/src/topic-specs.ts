import { dlqTopic, topics } from '@ragmesh/contracts';
import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS and this enum is not among the names Node can import from it directly.
const { ConfigResourceTypes } = kafkajs;

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Topic-level configs this topic must have; absent: the broker's defaults (time retention). */
  configs?: Readonly<Record<string, string>>;
}

export interface PartitionCounts {
  ingest: number;
  queries: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * documents.ingest is the corpus's durable log: compacted by key (tenant:documentId), it keeps the
 * latest event of every document for as long as the corpus lives, so a re-index replays all of
 * it. DELETE events are ordinary values (not tombstones): they survive compaction and a replay
 * sees them, and each replaces the content of the document it deletes.
 * - min.compaction.lag.ms 1 h: events younger than that are never compacted away, so a consumer
 *   less than an hour behind sees every version (the cleaner also runs less often).
 * - max.compaction.lag.ms 7 d: an event superseded (e.g. a deleted document's content) is gone
 *   from the log at most 7 days after it was superseded: the bound the README states.
 * - segment.ms 1 d: only closed segments are compacted; daily segments keep the active one small.
 * - delete.retention.ms 1 d: how long a real tombstone (null value, which ragmesh never writes)
 *   stays visible to readers.
 */
export const compactedLogConfigs: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'min.compaction.lag.ms': String(HOUR),
  'max.compaction.lag.ms': String(7 * DAY),
  'segment.ms': String(DAY),
  'delete.retention.ms': String(DAY),
};

/** Every topic of the mesh with its partition count; each source topic has a `.dlq` twin. */
export function meshTopics(counts: PartitionCounts = { ingest: 6, queries: 3 }): TopicSpec[] {
  const sources: TopicSpec[] = [
    { topic: topics.documentsIngest, numPartitions: counts.ingest, configs: compactedLogConfigs },
    { topic: topics.vectorsUpsert, numPartitions: counts.ingest },
    { topic: topics.queriesRequest, numPartitions: counts.queries },
    { topic: topics.queriesResponse, numPartitions: counts.queries },
  ];
  // DLQs keep time retention: a dead letter is for a person to read and replay, not for ever.
  return sources.flatMap((spec) => [spec, { topic: dlqTopic(spec.topic), numPartitions: spec.numPartitions }]);
}

export interface TopicChange {
  topic: string;
  config: string;
  from: string | null;
  to: string;
}

/** Creates the missing topics and returns their names; existing topics are left as they are. */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({
      topic: s.topic, numPartitions: s.numPartitions, replicationFactor,
      configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
  });
  return missing.map((s) => s.topic);
}

/**
 * Brings existing topics to their specs' configs (e.g. converts a documents.ingest created with
 * time retention into the compacted log) and returns what changed; idempotent. AlterConfigs
 * replaces a topic's whole set of dynamic configs, so the topic's other dynamic configs are sent
 * along unchanged.
 */
export async function reconcileTopicConfigs(admin: Admin, specs: TopicSpec[]): Promise<TopicChange[]> {
  const changes: TopicChange[] = [];
  for (const spec of specs) {
    if (!spec.configs) continue;
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.topic }] });
    const entries = described.resources[0]?.configEntries ?? [];
    const current = new Map(entries.map((e) => [e.configName, e.configValue]));
    const wanted = Object.entries(spec.configs).filter(([name, value]) => current.get(name) !== value);
    if (wanted.length === 0) continue;
    // Dynamic topic configs (source TOPIC_CONFIG = 1) other than ours are kept as they are.
    const kept = entries.filter((e) => !e.isDefault && (e as { configSource?: number }).configSource === 1 && !(e.configName in (spec.configs ?? {})));
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: spec.topic,
        configEntries: [...kept.map((e) => ({ name: e.configName, value: e.configValue })), ...Object.entries(spec.configs).map(([name, value]) => ({ name, value }))],
      }],
    });
    changes.push(...wanted.map(([config, to]) => ({ topic: spec.topic, config, from: current.get(config) ?? null, to })));
  }
  return changes;
}
