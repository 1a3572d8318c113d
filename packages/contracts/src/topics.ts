import type { DocumentEvent, QueryRequest, QueryResponse, VectorBatch } from './events.generated.js';

/** Topic names from DESIGN.md; every producer and consumer uses these constants. */
export const topics = {
  documentsIngest: 'documents.ingest',
  vectorsUpsert: 'vectors.upsert',
  queriesRequest: 'queries.request',
  queriesResponse: 'queries.response',
} as const;

export type Topic = (typeof topics)[keyof typeof topics];

/** The event type carried by each topic. */
export interface TopicEvents {
  'documents.ingest': DocumentEvent;
  'vectors.upsert': VectorBatch;
  'queries.request': QueryRequest;
  'queries.response': QueryResponse;
}

/** Avro record name per topic (the key into `schemaTexts`). */
export const topicSchemas = {
  'documents.ingest': 'DocumentEvent',
  'vectors.upsert': 'VectorBatch',
  'queries.request': 'QueryRequest',
  'queries.response': 'QueryResponse',
} as const satisfies Record<Topic, string>;

/** Dead-letter topic of a source topic. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Subject under which a topic's value schema is registered (TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** The Kafka key of a per-tenant entity, e.g. `documentKey('acme', 'doc-1')` → `acme:doc-1`. */
export function entityKey(tenant: string, id: string): string {
  return `${tenant}:${id}`;
}
