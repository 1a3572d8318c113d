import { contentHash, normalizeContent } from '@ragmesh/chunking';
import type { DocumentEvent } from '@ragmesh/contracts';
import type { DocumentRequests } from '@ragmesh/store';
import { Router } from 'express';
import type { DocumentPublisher } from './document-publisher.js';
import { documentId, documentsBody, type DocumentInput } from './document-schemas.js';
import { validationError } from './error-handler.js';
import { GatewayError } from './gateway-error.js';

/**
 * The tenant's active index generation (a new tenant gets the default one): where requests are
 * recorded, and the model and chunking their content hashes are computed for.
 */
export type IndexGenerationResolver = (tenant: string) => Promise<{ id: number; modelId: string; chunking: string | null }>;

export interface DocumentsRouterDeps {
  publisher: DocumentPublisher;
  requests: Pick<DocumentRequests, 'record' | 'status'>;
  generationFor: IndexGenerationResolver;
  maxBatch: number;
  /** A redacting tenant's URI and title as they may be stored (tokens for its PII); absent: as sent. */
  redactRecord?: (tenant: string, record: { uri: string | null; title: string | null }) => Promise<{ uri: string | null; title: string | null }>;
}

/** POST/DELETE/GET /v1/documents: accepted documents are durable in Kafka before the 202. */
export function documentsRouter(deps: DocumentsRouterDeps): Router {
  const router = Router();
  const batchSchema = documentsBody(deps.maxBatch);

  router.post('/v1/documents', async (req, res) => {
    const body: unknown = req.body;
    const isWrapped = typeof body === 'object' && body !== null && !Array.isArray(body) && 'documents' in body;
    const list = Array.isArray(body) ? body : isWrapped ? (body as { documents: unknown }).documents : [body];
    const parsed = batchSchema.safeParse(list);
    if (!parsed.success) {
      const error = validationError(parsed.error);
      // Name fields as the caller wrote them: `documents.3.content`, or `content` for one document.
      const prefix = Array.isArray(body) ? '' : isWrapped ? 'documents.' : null;
      const fields = (error.details.fields as { field: string; problem: string }[]).map((f) => ({
        ...f,
        field: prefix === null ? f.field.replace(/^0\.?/, '') || '(body)' : `${prefix}${f.field}`.replace(/\.$/, ''),
      }));
      throw new GatewayError('VALIDATION_FAILED', `${fields[0]?.field}: ${fields[0]?.problem}`, { details: { fields } });
    }
    const tenant = res.locals.tenant as string;
    const generation = await deps.generationFor(tenant);
    const events = parsed.data.map((doc) => toEvent(doc, { tenant, generation }));
    const redact = deps.redactRecord ?? (async (_tenant: string, record: { uri: string | null; title: string | null }) => record);
    const records = await Promise.all(events.map(async (e) => ({ documentId: e.documentId, op: 'UPSERT' as const, contentHash: e.contentHash, version: e.sourceTime, ...(await redact(tenant, { uri: e.uri, title: e.title })) })));
    await deps.requests.record(tenant, generation.id, records);
    await deps.publisher.publish(events);
    res.status(202).json({ documents: events.map((e) => ({ id: e.documentId, contentHash: e.contentHash, eventId: e.eventId })) });
  });

  router.delete('/v1/documents/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const tenant = res.locals.tenant as string;
    const event: DocumentEvent = {
      eventId: deps.publisher.newEventId(), op: 'DELETE', tenant, documentId: id, uri: null, title: null, content: null,
      contentType: 'text/plain', metadata: {}, contentHash: null, chunking: 'default', embeddingModel: null, sourceTime: deps.publisher.nextVersion(),
    };
    await deps.requests.record(tenant, (await deps.generationFor(tenant)).id, [{ documentId: id, op: 'DELETE', contentHash: null, version: event.sourceTime }]);
    await deps.publisher.publish([event]);
    res.status(202).json({ id, eventId: event.eventId });
  });

  router.get('/v1/documents/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const status = await deps.requests.status(res.locals.tenant as string, id);
    if (!status) throw new GatewayError('NOT_FOUND', `document ${id} not found`, { details: { id } });
    res.json(status);
  });

  function toEvent(doc: DocumentInput, { tenant, generation }: { tenant: string; generation: Awaited<ReturnType<IndexGenerationResolver>> }): DocumentEvent {
    const normalized = normalizeContent({ content: doc.content, contentType: doc.contentType });
    return {
      eventId: deps.publisher.newEventId(),
      op: 'UPSERT',
      tenant,
      documentId: doc.id,
      uri: doc.uri ?? null,
      title: doc.title ?? null,
      content: doc.content,
      contentType: doc.contentType,
      metadata: doc.metadata,
      contentHash: contentHash({ normalized, policy: generation.chunking ?? doc.chunking, modelId: generation.modelId }),
      chunking: doc.chunking,
      embeddingModel: null,
      sourceTime: deps.publisher.nextVersion(),
    };
  }

  return router;
}

function parseId(raw: string | undefined): string {
  const parsed = documentId.safeParse(raw);
  if (!parsed.success) throw new GatewayError('VALIDATION_FAILED', `id: ${parsed.error.issues[0]?.message}`, { details: { fields: [{ field: 'id', problem: parsed.error.issues[0]?.message }] } });
  return parsed.data;
}
