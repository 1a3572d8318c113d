import { metrics } from '@opentelemetry/api';
import { chunkDocument, contentHash, getPolicy, normalizeContent, sha256Hex } from '@ragmesh/chunking';
import { entityKey, type DocumentEvent, type VectorBatch } from '@ragmesh/contracts';
import type { Embedder } from '@ragmesh/embeddings';
import type { Logger } from '@ragmesh/telemetry';
import type { BatchHandler, WorkerMessage } from '@ragmesh/worker-runtime';
import type { Context } from '@opentelemetry/api';
import { ChunkEmbedError } from './chunk-embed-error.js';
import type { EmbeddingCache, PublishedHashes } from './redis-caches.js';
import { buildVectorBatches, deleteBatch, type PreparedChunk } from './vector-batches.js';

/** Publishes vectors.upsert messages, each under the trace context of the event that caused it. */
export interface VectorPublisher {
  publish(batches: { batch: VectorBatch; traceContext: Context }[]): Promise<void>;
}

/** Content hashes of the versions currently indexed, per tenant and generation (the store's manifest). */
export interface IndexedHashes {
  indexedHashes(tenant: string, generation: number, documentIds: string[]): Promise<Map<string, string>>;
}

/** The index generation this worker builds: its id and, when it has one, its chunking policy for every document. */
export interface GenerationTarget {
  id: number;
  chunking: string | null;
  /** Whether the generation takes the tenant's documents (and enrols the tenant where due). */
  serves(tenant: string): Promise<boolean>;
}

export interface ChunkEmbedDeps {
  embedder: Embedder;
  generation: GenerationTarget;
  cache: EmbeddingCache;
  published: PublishedHashes;
  indexed: IndexedHashes;
  publisher: VectorPublisher;
  documents: { markFailed(tenant: string, failure: { generation: number; documentId: string; version: number; reason: string }): Promise<void> };
  /**
   * PII redaction per tenant policy: `forTenant` gives the tenant's redactor (null: off), `save`
   * seals and stores the values behind new tokens. Absent: nothing is redacted (tests).
   */
  pii?: { forTenant(tenant: string): Promise<((text: string, values: Map<string, string>) => string) | null>; save(tenant: string, values: Map<string, string>): Promise<void> };
  /** Waits as long as a throttled generation must before handling `documents` more (re-index pacing). */
  pace?: (documents: number) => Promise<void>;
  logger: Logger;
  maxDocumentBytes: number;
  partChunks: number;
}

/** An UPSERT validated, normalized and hashed: enough to decide whether it changed. */
interface Identified {
  message: WorkerMessage<DocumentEvent>;
  key: string;
  hash: string;
  normalized: string;
}

/** What gets indexed: the event and normalized text with the tenant's PII replaced by tokens (or as sent). */
interface Redacted extends Identified {
  event: DocumentEvent;
}

interface Prepared extends Redacted {
  chunks: PreparedChunk[];
}

/**
 * The documents.ingest handler: normalizes, skips documents whose content hash is already
 * indexed, chunks, embeds only texts missing from the cache (one model call for the texts of
 * the whole slice), and publishes each version to vectors.upsert before the offsets commit.
 */
export function createChunkEmbedWorker(deps: ChunkEmbedDeps) {
  const { embedder, generation } = deps;
  const model = { id: embedder.model.id, version: embedder.model.version, dims: embedder.model.dims };
  const cacheModel = `${model.id}@${model.version}`;
  // What this worker published last is per generation: two generations of one model differ in chunking.
  const publishedScope = `g${generation.id}`;
  const policyOf = (event: DocumentEvent) => generation.chunking ?? event.chunking;
  const logger = deps.logger.child({ component: 'chunk-embed', model: model.id, generation: generation.id });
  const meter = metrics.getMeter('@ragmesh/chunk-embed');
  const documentsTotal = meter.createCounter('ragmesh_documents', { description: 'Documents by outcome at the chunk/embed stage' });
  const embeddingsTotal = meter.createCounter('ragmesh_embeddings', { description: 'Chunk vectors by source: cache or model' });
  const modelCalls = meter.createCounter('ragmesh_embedding_model_calls', { description: 'Calls to the embedding model' });

  function identify(message: WorkerMessage<DocumentEvent>): Identified {
    const event = message.event;
    const key = entityKey(event.tenant, event.documentId);
    if (message.key !== key) throw new ChunkEmbedError('INVALID_EVENT', `key ${JSON.stringify(message.key)} does not match tenant:documentId ${JSON.stringify(key)}`);
    if (event.content === null) throw new ChunkEmbedError('INVALID_EVENT', 'an UPSERT needs content');
    const bytes = Buffer.byteLength(event.content);
    if (bytes > deps.maxDocumentBytes) throw new ChunkEmbedError('DOCUMENT_TOO_LARGE', `content is ${bytes} bytes, the limit is ${deps.maxDocumentBytes}`);
    getPolicy(policyOf(event)); // an unknown policy fails here, before anything is skipped
    const normalized = normalizeContent({ content: event.content, contentType: event.contentType });
    return { message, key, normalized, hash: contentHash({ normalized, policy: policyOf(event), modelId: model.id }) };
  }

  /**
   * For a tenant with redaction on: content, title, URI and metadata values with each PII value
   * replaced by its token, the token map saved before anything is published. The content hash
   * stays that of the source, so unchanged documents are still recognised.
   */
  async function redact(document: Identified): Promise<Redacted> {
    const event = document.message.event;
    const redactor = await deps.pii?.forTenant(event.tenant);
    if (!redactor) return { ...document, event };
    const values = new Map<string, string>();
    const redacted: DocumentEvent = {
      ...event,
      content: null, // the normalized text below is what is chunked
      title: event.title === null ? null : redactor(event.title, values),
      uri: event.uri === null ? null : redactor(event.uri, values),
      metadata: Object.fromEntries(Object.entries(event.metadata).map(([k, v]) => [k, redactor(v, values)])),
    };
    const normalized = redactor(document.normalized, values);
    await deps.pii!.save(event.tenant, values);
    return { ...document, normalized, event: redacted };
  }

  /** Chunking costs more than everything else before the model (the tokenizer): only changed documents pay it. */
  function prepare(document: Redacted): Prepared {
    const event = document.event;
    const chunks = chunkDocument({
      text: document.normalized, title: event.title ?? undefined, policy: getPolicy(policyOf(event)), countTokens: (t) => embedder.countTokens(t), maxTokens: embedder.model.maxTokens,
    });
    return { ...document, chunks: chunks.map((c) => ({ ...c, textHash: sha256Hex(c.embedText) })) };
  }

  /**
   * Documents to skip: the store's indexed version has the same content hash, and no other
   * version is in flight (the hash this worker last published, if it remembers one, agrees).
   * The store is the truth, so a wiped store re-indexes everything on replay; the published hash
   * catches "A indexed, B published but not yet indexed, A again".
   */
  async function unchanged(prepared: Identified[]): Promise<Set<string>> {
    const skip = new Set<string>();
    const last = await deps.published.getMany(publishedScope, prepared.map((p) => p.key));
    const byTenant = new Map<string, { p: Identified; last: string | null | undefined }[]>();
    prepared.forEach((p, i) => {
      const tenant = p.message.event.tenant;
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), { p, last: last[i] }]);
    });
    for (const [tenant, list] of byTenant) {
      const hashes = await deps.indexed.indexedHashes(tenant, generation.id, list.map(({ p }) => p.message.event.documentId));
      for (const { p, last: published } of list) {
        if (hashes.get(p.message.event.documentId) === p.hash && (published == null || published === p.hash)) skip.add(p.key);
      }
    }
    return skip;
  }

  async function vectorsFor(chunks: PreparedChunk[]): Promise<Map<string, Float32Array>> {
    const unique = [...new Map(chunks.map((c) => [c.textHash, c.embedText])).entries()];
    const vectors = new Map<string, Float32Array>();
    const cached = await deps.cache.getMany(cacheModel, unique.map(([h]) => h));
    const missing: [string, string][] = [];
    unique.forEach((entry, i) => {
      const hit = cached[i];
      if (hit && hit.length === model.dims) vectors.set(entry[0], hit);
      else missing.push(entry);
    });
    embeddingsTotal.add(unique.length - missing.length, { source: 'cache' });
    if (missing.length === 0) return vectors;
    // One call for the whole slice: the embedder orders the texts by length before cutting its
    // runs of EMBEDDINGS_BATCH_SIZE, so each run pads to nearly its own length (runs cut in
    // document order pad every text to the longest of 32 mixed ones).
    const embedded = await embedder.embed(missing.map(([, text]) => text), 'document');
    modelCalls.add(1);
    embeddingsTotal.add(missing.length, { source: 'model' });
    missing.forEach(([hash], i) => vectors.set(hash, embedded[i]!));
    await deps.cache.setMany(cacheModel, missing.map(([textHash], i) => ({ textHash, vector: embedded[i]! })));
    return vectors;
  }

  const handle: BatchHandler<DocumentEvent> = async (messages) => {
    // Only the newest event per document matters: older ones in the same slice would be
    // superseded by the indexer anyway.
    const newest = [...new Map(messages.map((m) => [m.key ?? '', m])).values()];
    const tenants = [...new Set(newest.map((m) => m.event.tenant))];
    const served = new Set<string>();
    for (const tenant of tenants) if (await generation.serves(tenant)) served.add(tenant);
    const latest = newest.filter((m) => served.has(m.event.tenant));
    if (newest.length > latest.length) documentsTotal.add(newest.length - latest.length, { outcome: 'skipped_other_generation' });
    await deps.pace?.(latest.length);
    const deletes = latest.filter((m) => m.event.op === 'DELETE');
    const upserts = latest.filter((m) => m.event.op === 'UPSERT' && (m.event.embeddingModel === null || m.event.embeddingModel === model.id));
    const otherModel = latest.length - deletes.length - upserts.length;
    if (otherModel > 0) documentsTotal.add(otherModel, { outcome: 'skipped_other_model' });
    for (const m of deletes) {
      if (m.key !== entityKey(m.event.tenant, m.event.documentId)) throw new ChunkEmbedError('INVALID_EVENT', `key ${JSON.stringify(m.key)} does not match tenant:documentId`);
    }

    const identified = upserts.map(identify);
    const skip = await unchanged(identified);
    const changed = (await Promise.all(identified.filter((p) => !skip.has(p.key)).map(redact))).map(prepare);
    const vectors = await vectorsFor(changed.flatMap((p) => p.chunks));

    const outgoing = [
      ...deletes.map((m) => ({ batch: deleteBatch(m.event, { model, generation: generation.id }), traceContext: m.traceContext })),
      ...changed.flatMap((p) =>
        buildVectorBatches({
          event: p.event, contentHash: p.hash, model, generation: generation.id, chunking: policyOf(p.event),
          chunks: p.chunks, vectors: p.chunks.map((c) => vectors.get(c.textHash)!), partChunks: deps.partChunks,
        }).map((batch) => ({ batch, traceContext: p.message.traceContext })),
      ),
    ];
    if (outgoing.length > 0) await deps.publisher.publish(outgoing);
    await deps.published.setMany(publishedScope, [
      ...changed.map((p) => ({ key: p.key, hash: p.hash })),
      ...deletes.map((m) => ({ key: m.key ?? '', hash: 'deleted' })),
    ]);
    if (skip.size > 0) documentsTotal.add(skip.size, { outcome: 'skipped_unchanged' });
    logger.debug('slice handled', { documents: latest.length, skipped: skip.size, published: outgoing.length });
  };

  async function onDeadLetter(failure: { key: string | null; event?: DocumentEvent; error: unknown }): Promise<void> {
    documentsTotal.add(1, { outcome: 'failed' });
    const event = failure.event;
    const at = failure.key?.indexOf(':') ?? -1;
    const target = event
      ? { tenant: event.tenant, documentId: event.documentId, version: event.sourceTime }
      : failure.key && at > 0
        ? { tenant: failure.key.slice(0, at), documentId: failure.key.slice(at + 1), version: Date.now() }
        : null;
    if (!target) return;
    const reason = failure.error instanceof Error ? `${(failure.error as { code?: string }).code ?? 'ERROR'}: ${failure.error.message}` : String(failure.error);
    if (!(await generation.serves(target.tenant))) return;
    await deps.documents.markFailed(target.tenant, { generation: generation.id, documentId: target.documentId, version: target.version, reason });
  }

  return { handle, onDeadLetter };
}
