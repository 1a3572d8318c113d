import { ROOT_CONTEXT } from '@opentelemetry/api';
import { contentHash, normalizeContent } from '@ragmesh/chunking';
import type { DocumentEvent, VectorBatch } from '@ragmesh/contracts';
import { createHashEmbedder } from '@ragmesh/embeddings';
import { createLogger } from '@ragmesh/telemetry';
import type { WorkerMessage } from '@ragmesh/worker-runtime';
import { describe, expect, it } from 'vitest';
import { createChunkEmbedWorker } from './app.js';

const tenant = 't1';
const content = (id: string) => `Paragraph one of ${id} talks about kafka partitions and offsets.\n\nParagraph two of ${id} is about pgvector.`;

function message(id: string, offset: number): WorkerMessage<DocumentEvent> {
  const event: DocumentEvent = {
    eventId: `e-${id}-${offset}`, op: 'UPSERT', tenant, documentId: id, uri: null, title: `Title ${id}`, content: content(id), contentType: 'text/plain',
    metadata: {}, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: 1_000 + offset,
  };
  return { topic: 'documents.ingest', partition: 0, offset: String(offset), key: `${tenant}:${id}`, event, headers: {}, traceContext: ROOT_CONTEXT };
}

/** The handler with in-memory stand-ins for Redis, the store and Kafka, counting tokenizer and model use. */
function harness(indexed: Map<string, string>) {
  const hash = createHashEmbedder({ dims: 8 });
  const use = { countTokens: 0, embedded: 0 };
  const published: VectorBatch[] = [];
  const embedder = {
    ...hash,
    countTokens: (text: string) => {
      use.countTokens += 1;
      return hash.countTokens(text);
    },
    embed: async (texts: readonly string[], kind: 'document' | 'query') => {
      use.embedded += texts.length;
      return hash.embed(texts, kind);
    },
  };
  const worker = createChunkEmbedWorker({
    embedder,
    generation: { id: 1, chunking: null, serves: async () => true },
    cache: { getMany: async (_model, hashes) => hashes.map(() => null), setMany: async () => undefined },
    published: { getMany: async (_model, keys) => keys.map(() => null), setMany: async () => undefined },
    indexed: { indexedHashes: async (_tenant, _generation, ids) => new Map(ids.flatMap((id) => (indexed.has(id) ? [[id, indexed.get(id)!] as const] : []))) },
    publisher: { publish: async (batches) => void published.push(...batches.map((b) => b.batch)) },
    documents: { markFailed: async () => undefined },
    logger: createLogger({ service: 'chunk-embed-test', level: 'error' }),
    maxDocumentBytes: 1_000_000,
    partChunks: 100,
  });
  return { worker, use, published, modelId: hash.model.id };
}

describe('chunk-embed handler', () => {
  it('neither chunks nor embeds a document whose indexed content hash is unchanged', async () => {
    const modelId = createHashEmbedder({ dims: 8 }).model.id;
    const indexedHash = contentHash({ normalized: normalizeContent({ content: content('a'), contentType: 'text/plain' }), policy: 'default', modelId });
    const { worker, use, published } = harness(new Map([['a', indexedHash]]));

    await worker.handle([message('a', 1)], { heartbeat: async () => undefined });
    expect(use).toEqual({ countTokens: 0, embedded: 0 });
    expect(published).toEqual([]);

    await worker.handle([message('a', 2), message('b', 3)], { heartbeat: async () => undefined });
    expect(use.countTokens).toBeGreaterThan(0);
    expect(published.map((b) => b.documentId)).toEqual(['b']);
    expect(use.embedded).toBe(published[0]!.chunks.length);
  });
});
