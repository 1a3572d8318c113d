import { metrics } from '@opentelemetry/api';
import { type VectorBatch } from '@ragmesh/contracts';
import type { DocumentRequests, DocumentVersion, IndexWriter } from '@ragmesh/store';
import type { Logger } from '@ragmesh/telemetry';
import type { BatchHandler, WorkerMessage } from '@ragmesh/worker-runtime';
import { IndexerError } from './indexer-error.js';

export interface IndexerDeps {
  writer: Pick<IndexWriter, 'apply'>;
  /** Refreshes planner statistics; called after every `analyzeEvery` chunk rows written. */
  analyze?: () => Promise<void>;
  analyzeEvery?: number;
  documents: Pick<DocumentRequests, 'markFailed'>;
  /** The tenant's active generation: where a batch from a producer that predates generations goes. */
  activeGeneration: (tenant: string) => Promise<number | null>;
  logger: Logger;
}

/**
 * The vectors.upsert handler: validates each batch, then installs every document version of
 * one tenant in one transaction (see createIndexWriter for the ordering and idempotency rules).
 */
export function createIndexer(deps: IndexerDeps) {
  const logger = deps.logger.child({ component: 'indexer' });
  const meter = metrics.getMeter('@ragmesh/indexer');
  const documentsTotal = meter.createCounter('ragmesh_documents', { description: 'Documents by indexing outcome' });
  const chunksWritten = meter.createCounter('ragmesh_chunks_written', { description: 'Chunk rows inserted or updated' });

  const analyzeEvery = deps.analyzeEvery ?? 20_000;
  let writtenSinceAnalyze = 0;

  async function maybeAnalyze(written: number): Promise<void> {
    writtenSinceAnalyze += written;
    if (!deps.analyze || writtenSinceAnalyze < analyzeEvery) return;
    writtenSinceAnalyze = 0;
    await deps.analyze().catch((error: unknown) => logger.warn('analyze failed', { error: String(error) }));
  }

  const handle: BatchHandler<VectorBatch> = async (messages) => {
    const byTenant = new Map<string, DocumentVersion[]>();
    for (const message of messages) {
      validate(message);
      const event = message.event;
      const generation = event.generation ?? (await deps.activeGeneration(event.tenant));
      if (generation === null) throw new IndexerError('INVALID_EVENT', `no generation given and tenant ${JSON.stringify(event.tenant)} has no active one`);
      const list = byTenant.get(event.tenant) ?? [];
      list.push({ ...event, generation });
      byTenant.set(event.tenant, list);
    }
    for (const [tenant, batches] of byTenant) {
      const results = await deps.writer.apply(tenant, batches);
      for (const result of results) {
        if (result.outcome !== 'staged') documentsTotal.add(1, { outcome: result.outcome === 'skipped_stale' ? 'skipped_unchanged' : result.outcome });
        chunksWritten.add(result.chunksWritten);
      }
      logger.debug('applied', { tenant, documents: results.length });
      await maybeAnalyze(results.reduce((n, r) => n + r.chunksWritten, 0));
    }
  };

  async function onDeadLetter(failure: { key: string | null; event?: VectorBatch; error: unknown }): Promise<void> {
    documentsTotal.add(1, { outcome: 'failed' });
    const target = failure.event ? { tenant: failure.event.tenant, documentId: failure.event.documentId, version: failure.event.version } : parseKey(failure.key);
    if (!target) return;
    // An undecodable batch names no generation: its failure shows where status reads, the active one.
    const generation = failure.event?.generation ?? (await deps.activeGeneration(target.tenant));
    if (generation === null) return;
    await deps.documents.markFailed(target.tenant, { generation, documentId: target.documentId, version: target.version, reason: String((failure.error as Error)?.message ?? failure.error) });
  }

  return { handle, onDeadLetter };
}

function validate(message: WorkerMessage<VectorBatch>): void {
  const event = message.event;
  if (message.key !== `${event.tenant}:${event.documentId}`) {
    throw new IndexerError('INVALID_EVENT', `key ${JSON.stringify(message.key)} does not match tenant:documentId of the event`);
  }
  if (event.op === 'UPSERT') {
    if (event.part < 0 || event.part >= event.partCount) throw new IndexerError('INVALID_EVENT', `part ${event.part} outside 0..${event.partCount - 1}`);
    const wrong = event.chunks.find((c) => c.embedding.length !== event.model.dims);
    if (wrong) throw new IndexerError('INVALID_EVENT', `chunk ${wrong.chunkId} has ${wrong.embedding.length} dims, model says ${event.model.dims}`);
  }
}

// An undecodable message has no event, but its key still names the document; the version is
// unknown, so the failure is recorded against "now" and cleared by any later successful version.
function parseKey(key: string | null): { tenant: string; documentId: string; version: number } | null {
  const at = key?.indexOf(':') ?? -1;
  if (!key || at <= 0) return null;
  return { tenant: key.slice(0, at), documentId: key.slice(at + 1), version: Date.now() };
}
