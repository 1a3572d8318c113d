import { dlqTopic, topics } from '@ragmesh/contracts';
import type { Admin } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

export interface PartitionCounts {
  ingest: number;
  queries: number;
}

/** Every topic of the mesh with its partition count; each source topic has a `.dlq` twin. */
export function meshTopics(counts: PartitionCounts = { ingest: 6, queries: 3 }): TopicSpec[] {
  const sources: TopicSpec[] = [
    { topic: topics.documentsIngest, numPartitions: counts.ingest },
    { topic: topics.vectorsUpsert, numPartitions: counts.ingest },
    { topic: topics.queriesRequest, numPartitions: counts.queries },
    { topic: topics.queriesResponse, numPartitions: counts.queries },
  ];
  return sources.flatMap((spec) => [spec, { topic: dlqTopic(spec.topic), numPartitions: spec.numPartitions }]);
}

/** Creates the missing topics and returns their names; existing topics are left as they are. */
export async function ensureTopics(admin: Admin, specs: TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((s) => ({ topic: s.topic, numPartitions: s.numPartitions, replicationFactor })),
  });
  return missing.map((s) => s.topic);
}
