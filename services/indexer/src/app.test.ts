import type { VectorBatch } from '@ragmesh/contracts';
import { createLogger } from '@ragmesh/telemetry';
import type { WorkerMessage } from '@ragmesh/worker-runtime';
import { context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createIndexer } from './app.js';

const batch = (documentId: string, dims = 2): VectorBatch => ({
  eventId: 'e', op: 'UPSERT', tenant: 't', documentId, version: 1, contentHash: 'h', uri: null, title: null, metadata: {}, chunking: 'default',
  model: { id: 'm', version: '1', dims: 2 }, part: 0, partCount: 1, chunkCount: 1,
  chunks: [{ chunkId: 'c', ordinal: 0, text: 'x', textHash: 'th', tokenCount: 1, embedding: Array.from({ length: dims }, () => 0.5) }], sourceTime: 1, generation: 1,
});
const message = (event: VectorBatch, key = `${event.tenant}:${event.documentId}`): WorkerMessage<VectorBatch> => ({
  topic: 'vectors.upsert', partition: 0, offset: '0', key, event, headers: {}, traceContext: context.active(),
});

describe('indexer handler', () => {
  const logger = createLogger({ service: 't', silent: true });

  it('groups by tenant, applies, and refreshes statistics after enough written rows', async () => {
    const applied: string[][] = [];
    let analyzed = 0;
    const indexer = createIndexer({
      logger,
      documents: { markFailed: async () => undefined },
      activeGeneration: async () => 1,
      writer: { apply: async (_tenant, docs) => (applied.push(docs.map((d) => d.documentId)), docs.map((d) => ({ documentId: d.documentId, outcome: 'indexed' as const, chunksWritten: 3 }))) },
      analyze: async () => void analyzed++,
      analyzeEvery: 5,
    });
    await indexer.handle([message(batch('a')), message(batch('b'))], { heartbeat: async () => undefined });
    expect(applied).toEqual([['a', 'b']]);
    expect(analyzed).toBe(1);
  });

  it('rejects a key that does not match the event and vectors of the wrong size', async () => {
    const indexer = createIndexer({ logger, documents: { markFailed: async () => undefined }, activeGeneration: async () => 1, writer: { apply: async () => [] } });
    await expect(indexer.handle([message(batch('a'), 'other:a')], { heartbeat: async () => undefined })).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    await expect(indexer.handle([message(batch('a', 3))], { heartbeat: async () => undefined })).rejects.toThrow(/3 dims/);
  });
});
