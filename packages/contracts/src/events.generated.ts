// Generated from schemas/*.avsc by packages/contracts/scripts/generate.mjs. Do not edit.
/* eslint-disable */

/** What the event does to the document. */
export type DocumentOp = 'UPSERT' | 'DELETE';

/** A document upsert or delete published to documents.ingest, keyed by tenant:documentId. */
export interface DocumentEvent {
  /** Unique id of this event (UUID); used to trace and deduplicate deliveries. */
  eventId: string;
  /** UPSERT replaces the document's content; DELETE removes it and all its chunks. */
  op: DocumentOp;
  /** Tenant that owns the document; must match the tenant part of the key. */
  tenant: string;
  /** Caller-chosen document id, unique within the tenant. */
  documentId: string;
  /** Where the document lives upstream, returned with hits. */
  uri: null | string;
  /** Human title; prepended to every chunk's embedded text. */
  title: null | string;
  /** Full document text; null for DELETE. */
  content: null | string;
  /** text/plain, text/markdown or text/html. */
  contentType: string;
  /** String metadata copied onto every chunk; usable in query filters. */
  metadata: Record<string, string>;
  /** Optional sha256 hex of the normalized content computed upstream; recomputed by the worker when null. */
  contentHash: null | string;
  /** Chunking policy name: default, faq or procedural. */
  chunking: string;
  /** Embedding model to index under; null means the worker's configured model. Set by re-index jobs. */
  embeddingModel: null | string;
  /** When the upstream system produced this version (epoch ms). */
  sourceTime: number;
}

/** Retrieval legs to use. */
export type QueryMode = 'HYBRID' | 'DENSE' | 'SPARSE';

/** Maximal marginal relevance settings. */
export interface Mmr {
  /** Relevance weight between 0 (diversity) and 1 (relevance). */
  lambda: number;
  /** Candidates considered before diversification. */
  fetchK: number;
}

/** Where the retriever publishes the response. */
export interface ReplyTo {
  /** Reply topic, normally queries.response. */
  topic: string;
  /** Partition owned by the asking gateway instance; null lets the key decide. */
  partition: null | number;
  /** Key to publish the reply under. */
  key: string;
}

/** A retrieval request published to queries.request keyed by tenant:queryId. */
export interface QueryRequest {
  /** Unique id of the query; the reply carries it back. */
  queryId: string;
  /** Tenant whose corpus is searched; decided by the caller's API key. */
  tenant: string;
  /** The query text. */
  text: string;
  /** Number of hits wanted (1-100). */
  topK: number;
  /** HYBRID fuses dense and sparse with reciprocal-rank fusion. */
  mode: QueryMode;
  /** Metadata filter as JSON in the ragmesh filter DSL; validated by the retriever. */
  filter: null | string;
  /** Optional diversification of the fused candidates. */
  mmr: null | Mmr;
  /** Whether a grounded answer is wanted. */
  answer: boolean;
  /** Epoch ms after which nobody waits for the reply; the retriever skips expired requests. */
  deadline: number;
  /** Reply routing chosen by the gateway instance that asked. */
  replyTo: ReplyTo;
  /** Index generation to search; null: the tenant's active one. A building or standby generation may be named to compare it before a cutover. */
  generation: null | number;
}

/** One retrieved chunk. */
export interface Hit {
  /** Chunk primary key. */
  chunkId: string;
  /** Document the chunk belongs to. */
  documentId: string;
  /** Document title. */
  title: null | string;
  /** Document URI. */
  uri: null | string;
  /** Score in the request's mode; higher is better. */
  score: number;
  /** Chunk text. */
  text: string;
  /** Document metadata. */
  metadata: Record<string, string>;
}

/** Grounded answer generated from the hits. */
export interface Answer {
  /** Answer text citing hits as [n]. */
  text: string;
  /** Chunk ids cited by the answer. */
  citations: string[];
}

/** Why the query failed. */
export interface QueryError {
  /** Stable error code, e.g. INVALID_FILTER. */
  code: string;
  /** Human-readable reason. */
  message: string;
}

/** The answer to a QueryRequest, published to its replyTo topic and partition. */
export interface QueryResponse {
  /** Id of the request answered. */
  queryId: string;
  /** Tenant of the request. */
  tenant: string;
  /** Hits, best first. */
  hits: Hit[];
  /** Milliseconds spent per stage (embed, dense, sparse, fuse, total). */
  timings: Record<string, number>;
  /** Present when the request asked for an answer and generation is configured. */
  answer: null | Answer;
  /** Set instead of hits when the query failed. */
  error: null | QueryError;
}

/** UPSERT installs a version; DELETE removes the document. */
export type VectorOp = 'UPSERT' | 'DELETE';

/** Identity of the model that produced the vectors; vectors of different models live side by side. */
export interface EmbeddingModel {
  /** Model id, e.g. all-MiniLM-L6-v2. */
  id: string;
  /** Model version or weights digest. */
  version: string;
  /** Vector dimensions. */
  dims: number;
}

/** One chunk of a document version and its embedding. */
export interface ChunkVector {
  /** Primary key of the chunk, derived from its content hash, document and model. */
  chunkId: string;
  /** Position of the chunk in the document, from 0. */
  ordinal: number;
  /** Chunk text as shown to users (without the title prefix). */
  text: string;
  /** sha256 hex of the embedded text; the embedding cache key. */
  textHash: string;
  /** Tokens in the embedded text, by the model's tokenizer. */
  tokenCount: number;
  /** The vector, model.dims floats. */
  embedding: number[];
}

/** The chunks of one document version with their vectors, published to vectors.upsert keyed by tenant:documentId. A version is complete when the parts 0..partCount-1 have all arrived. */
export interface VectorBatch {
  /** Id of the documents.ingest event this batch was derived from. */
  eventId: string;
  /** What the indexer does with the document. */
  op: VectorOp;
  /** Tenant that owns the document. */
  tenant: string;
  /** Document id within the tenant. */
  documentId: string;
  /** Monotonic version of the document (source time in ms); an older version arriving after a newer one changes nothing. */
  version: number;
  /** sha256 hex of normalized content + chunking policy + model id; the document-level idempotency key. */
  contentHash: string;
  /** Upstream location of the document. */
  uri: null | string;
  /** Document title. */
  title: null | string;
  /** Document metadata, stored with every chunk. */
  metadata: Record<string, string>;
  /** Chunking policy that produced the chunks. */
  chunking: string;
  /** Model that embedded the chunks. */
  model: EmbeddingModel;
  /** Index of this part of the version, from 0. */
  part: number;
  /** Number of parts that make the version complete. */
  partCount: number;
  /** Total chunks of the version across all parts. */
  chunkCount: number;
  /** Chunks in this part; empty for DELETE. */
  chunks: ChunkVector[];
  /** Source time of the document version (epoch ms). */
  sourceTime: number;
  /** Index generation the version belongs to (see ragmesh reindex); null from producers that predate generations: the tenant's active generation. */
  generation: null | number;
}

/** The Avro schema text of each event, as committed under schemas/. */
export const schemaTexts = {
  DocumentEvent: "{\"type\":\"record\",\"name\":\"DocumentEvent\",\"namespace\":\"io.ragmesh.events\",\"doc\":\"A document upsert or delete published to documents.ingest, keyed by tenant:documentId.\",\"fields\":[{\"name\":\"eventId\",\"type\":\"string\",\"doc\":\"Unique id of this event (UUID); used to trace and deduplicate deliveries.\"},{\"name\":\"op\",\"type\":{\"type\":\"enum\",\"name\":\"DocumentOp\",\"symbols\":[\"UPSERT\",\"DELETE\"],\"doc\":\"What the event does to the document.\"},\"doc\":\"UPSERT replaces the document's content; DELETE removes it and all its chunks.\"},{\"name\":\"tenant\",\"type\":\"string\",\"doc\":\"Tenant that owns the document; must match the tenant part of the key.\"},{\"name\":\"documentId\",\"type\":\"string\",\"doc\":\"Caller-chosen document id, unique within the tenant.\"},{\"name\":\"uri\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Where the document lives upstream, returned with hits.\"},{\"name\":\"title\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Human title; prepended to every chunk's embedded text.\"},{\"name\":\"content\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Full document text; null for DELETE.\"},{\"name\":\"contentType\",\"type\":\"string\",\"default\":\"text/plain\",\"doc\":\"text/plain, text/markdown or text/html.\"},{\"name\":\"metadata\",\"type\":{\"type\":\"map\",\"values\":\"string\"},\"default\":{},\"doc\":\"String metadata copied onto every chunk; usable in query filters.\"},{\"name\":\"contentHash\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Optional sha256 hex of the normalized content computed upstream; recomputed by the worker when null.\"},{\"name\":\"chunking\",\"type\":\"string\",\"default\":\"default\",\"doc\":\"Chunking policy name: default, faq or procedural.\"},{\"name\":\"embeddingModel\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Embedding model to index under; null means the worker's configured model. Set by re-index jobs.\"},{\"name\":\"sourceTime\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"When the upstream system produced this version (epoch ms).\"}]}",
  QueryRequest: "{\"type\":\"record\",\"name\":\"QueryRequest\",\"namespace\":\"io.ragmesh.events\",\"doc\":\"A retrieval request published to queries.request keyed by tenant:queryId.\",\"fields\":[{\"name\":\"queryId\",\"type\":\"string\",\"doc\":\"Unique id of the query; the reply carries it back.\"},{\"name\":\"tenant\",\"type\":\"string\",\"doc\":\"Tenant whose corpus is searched; decided by the caller's API key.\"},{\"name\":\"text\",\"type\":\"string\",\"doc\":\"The query text.\"},{\"name\":\"topK\",\"type\":\"int\",\"default\":10,\"doc\":\"Number of hits wanted (1-100).\"},{\"name\":\"mode\",\"type\":{\"type\":\"enum\",\"name\":\"QueryMode\",\"symbols\":[\"HYBRID\",\"DENSE\",\"SPARSE\"],\"doc\":\"Retrieval legs to use.\"},\"default\":\"HYBRID\",\"doc\":\"HYBRID fuses dense and sparse with reciprocal-rank fusion.\"},{\"name\":\"filter\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Metadata filter as JSON in the ragmesh filter DSL; validated by the retriever.\"},{\"name\":\"mmr\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Mmr\",\"doc\":\"Maximal marginal relevance settings.\",\"fields\":[{\"name\":\"lambda\",\"type\":\"double\",\"doc\":\"Relevance weight between 0 (diversity) and 1 (relevance).\"},{\"name\":\"fetchK\",\"type\":\"int\",\"doc\":\"Candidates considered before diversification.\"}]}],\"default\":null,\"doc\":\"Optional diversification of the fused candidates.\"},{\"name\":\"answer\",\"type\":\"boolean\",\"default\":false,\"doc\":\"Whether a grounded answer is wanted.\"},{\"name\":\"deadline\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"Epoch ms after which nobody waits for the reply; the retriever skips expired requests.\"},{\"name\":\"replyTo\",\"type\":{\"type\":\"record\",\"name\":\"ReplyTo\",\"doc\":\"Where the retriever publishes the response.\",\"fields\":[{\"name\":\"topic\",\"type\":\"string\",\"doc\":\"Reply topic, normally queries.response.\"},{\"name\":\"partition\",\"type\":[\"null\",\"int\"],\"default\":null,\"doc\":\"Partition owned by the asking gateway instance; null lets the key decide.\"},{\"name\":\"key\",\"type\":\"string\",\"doc\":\"Key to publish the reply under.\"}]},\"doc\":\"Reply routing chosen by the gateway instance that asked.\"},{\"name\":\"generation\",\"type\":[\"null\",\"long\"],\"default\":null,\"doc\":\"Index generation to search; null: the tenant's active one. A building or standby generation may be named to compare it before a cutover.\"}]}",
  QueryResponse: "{\"type\":\"record\",\"name\":\"QueryResponse\",\"namespace\":\"io.ragmesh.events\",\"doc\":\"The answer to a QueryRequest, published to its replyTo topic and partition.\",\"fields\":[{\"name\":\"queryId\",\"type\":\"string\",\"doc\":\"Id of the request answered.\"},{\"name\":\"tenant\",\"type\":\"string\",\"doc\":\"Tenant of the request.\"},{\"name\":\"hits\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Hit\",\"doc\":\"One retrieved chunk.\",\"fields\":[{\"name\":\"chunkId\",\"type\":\"string\",\"doc\":\"Chunk primary key.\"},{\"name\":\"documentId\",\"type\":\"string\",\"doc\":\"Document the chunk belongs to.\"},{\"name\":\"title\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Document title.\"},{\"name\":\"uri\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Document URI.\"},{\"name\":\"score\",\"type\":\"double\",\"doc\":\"Score in the request's mode; higher is better.\"},{\"name\":\"text\",\"type\":\"string\",\"doc\":\"Chunk text.\"},{\"name\":\"metadata\",\"type\":{\"type\":\"map\",\"values\":\"string\"},\"default\":{},\"doc\":\"Document metadata.\"}]}},\"default\":[],\"doc\":\"Hits, best first.\"},{\"name\":\"timings\",\"type\":{\"type\":\"map\",\"values\":\"double\"},\"default\":{},\"doc\":\"Milliseconds spent per stage (embed, dense, sparse, fuse, total).\"},{\"name\":\"answer\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Answer\",\"doc\":\"Grounded answer generated from the hits.\",\"fields\":[{\"name\":\"text\",\"type\":\"string\",\"doc\":\"Answer text citing hits as [n].\"},{\"name\":\"citations\",\"type\":{\"type\":\"array\",\"items\":\"string\"},\"default\":[],\"doc\":\"Chunk ids cited by the answer.\"}]}],\"default\":null,\"doc\":\"Present when the request asked for an answer and generation is configured.\"},{\"name\":\"error\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"QueryError\",\"doc\":\"Why the query failed.\",\"fields\":[{\"name\":\"code\",\"type\":\"string\",\"doc\":\"Stable error code, e.g. INVALID_FILTER.\"},{\"name\":\"message\",\"type\":\"string\",\"doc\":\"Human-readable reason.\"}]}],\"default\":null,\"doc\":\"Set instead of hits when the query failed.\"}]}",
  VectorBatch: "{\"type\":\"record\",\"name\":\"VectorBatch\",\"namespace\":\"io.ragmesh.events\",\"doc\":\"The chunks of one document version with their vectors, published to vectors.upsert keyed by tenant:documentId. A version is complete when the parts 0..partCount-1 have all arrived.\",\"fields\":[{\"name\":\"eventId\",\"type\":\"string\",\"doc\":\"Id of the documents.ingest event this batch was derived from.\"},{\"name\":\"op\",\"type\":{\"type\":\"enum\",\"name\":\"VectorOp\",\"symbols\":[\"UPSERT\",\"DELETE\"],\"doc\":\"UPSERT installs a version; DELETE removes the document.\"},\"doc\":\"What the indexer does with the document.\"},{\"name\":\"tenant\",\"type\":\"string\",\"doc\":\"Tenant that owns the document.\"},{\"name\":\"documentId\",\"type\":\"string\",\"doc\":\"Document id within the tenant.\"},{\"name\":\"version\",\"type\":\"long\",\"doc\":\"Monotonic version of the document (source time in ms); an older version arriving after a newer one changes nothing.\"},{\"name\":\"contentHash\",\"type\":\"string\",\"doc\":\"sha256 hex of normalized content + chunking policy + model id; the document-level idempotency key.\"},{\"name\":\"uri\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Upstream location of the document.\"},{\"name\":\"title\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Document title.\"},{\"name\":\"metadata\",\"type\":{\"type\":\"map\",\"values\":\"string\"},\"default\":{},\"doc\":\"Document metadata, stored with every chunk.\"},{\"name\":\"chunking\",\"type\":\"string\",\"default\":\"default\",\"doc\":\"Chunking policy that produced the chunks.\"},{\"name\":\"model\",\"type\":{\"type\":\"record\",\"name\":\"EmbeddingModel\",\"doc\":\"Identity of the model that produced the vectors; vectors of different models live side by side.\",\"fields\":[{\"name\":\"id\",\"type\":\"string\",\"doc\":\"Model id, e.g. all-MiniLM-L6-v2.\"},{\"name\":\"version\",\"type\":\"string\",\"doc\":\"Model version or weights digest.\"},{\"name\":\"dims\",\"type\":\"int\",\"doc\":\"Vector dimensions.\"}]},\"doc\":\"Model that embedded the chunks.\"},{\"name\":\"part\",\"type\":\"int\",\"default\":0,\"doc\":\"Index of this part of the version, from 0.\"},{\"name\":\"partCount\",\"type\":\"int\",\"default\":1,\"doc\":\"Number of parts that make the version complete.\"},{\"name\":\"chunkCount\",\"type\":\"int\",\"doc\":\"Total chunks of the version across all parts.\"},{\"name\":\"chunks\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"ChunkVector\",\"doc\":\"One chunk of a document version and its embedding.\",\"fields\":[{\"name\":\"chunkId\",\"type\":\"string\",\"doc\":\"Primary key of the chunk, derived from its content hash, document and model.\"},{\"name\":\"ordinal\",\"type\":\"int\",\"doc\":\"Position of the chunk in the document, from 0.\"},{\"name\":\"text\",\"type\":\"string\",\"doc\":\"Chunk text as shown to users (without the title prefix).\"},{\"name\":\"textHash\",\"type\":\"string\",\"doc\":\"sha256 hex of the embedded text; the embedding cache key.\"},{\"name\":\"tokenCount\",\"type\":\"int\",\"doc\":\"Tokens in the embedded text, by the model's tokenizer.\"},{\"name\":\"embedding\",\"type\":{\"type\":\"array\",\"items\":\"float\"},\"doc\":\"The vector, model.dims floats.\"}]}},\"default\":[],\"doc\":\"Chunks in this part; empty for DELETE.\"},{\"name\":\"sourceTime\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"Source time of the document version (epoch ms).\"},{\"name\":\"generation\",\"type\":[\"null\",\"long\"],\"default\":null,\"doc\":\"Index generation the version belongs to (see ragmesh reindex); null from producers that predate generations: the tenant's active generation.\"}]}",
} as const;
