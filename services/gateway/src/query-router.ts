import { SpanKind, trace } from '@opentelemetry/api';
import type { QueryResponse } from '@ragmesh/contracts';
import { parseFilter } from '@ragmesh/retrieval';
import { Router, type Response } from 'express';
import type { AnswerGenerator, GeneratedAnswer } from './answer-generator.js';
import { traceparentOf } from '@ragmesh/telemetry';
import { validationError } from './error-handler.js';
import { GatewayError } from './gateway-error.js';
import type { QueryAsk } from './query-client.js';
import type { QueryPii } from './query-pii.js';
import { queryInput } from './query-schemas.js';

export interface QueryRouterDeps {
  ask: (query: QueryAsk) => Promise<QueryResponse>;
  generator?: AnswerGenerator;
  /** PII tokenization of questions and restoring of hits; absent: questions go as asked. */
  pii?: QueryPii;
}

const modes = { hybrid: 'HYBRID', dense: 'DENSE', sparse: 'SPARSE' } as const;
// Looked up per request: a tracer taken at module load, before main.ts registers the SDK, stays a no-op.
const tracer = () => trace.getTracer('@ragmesh/gateway');

function sse(res: Response, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** POST /v1/query: JSON by default, Server-Sent Events with `Accept: text/event-stream`. */
export function queryRouter(deps: QueryRouterDeps): Router {
  const router = Router();

  router.post('/v1/query', async (req, res) => {
    const parsed = queryInput.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error);
    const input = parsed.data;
    const tenant = res.locals.tenant as string;
    // The tenant's PII in the question and filter values becomes its tokens before anything leaves.
    const asked = deps.pii ? await deps.pii.redactQuery(tenant, input.query, input.filter) : { text: input.query, filter: input.filter };
    let filter: string | null = null;
    if (asked.filter !== undefined) {
      try {
        filter = JSON.stringify(parseFilter(asked.filter));
      } catch (error) {
        throw new GatewayError('VALIDATION_FAILED', `filter: ${(error as Error).message}`, { details: { fields: [{ field: 'filter', problem: (error as Error).message }] } });
      }
    }
    if (input.answer && !deps.generator) throw new GatewayError('VALIDATION_FAILED', 'answer: answers are not configured (LLM_BASE_URL)', { details: { fields: [{ field: 'answer', problem: 'not configured' }] } });
    if (input.restorePii && !deps.pii) throw new GatewayError('VALIDATION_FAILED', 'restorePii: PII restore is not configured', { details: { fields: [{ field: 'restorePii', problem: 'not configured' }] } });
    const streaming = req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream';

    await tracer().startActiveSpan('POST /v1/query', { kind: SpanKind.SERVER }, async (span) => {
      try {
        const traceparent = traceparentOf();
        if (traceparent) res.setHeader('traceparent', traceparent);
        const reply = await deps.ask({ tenant, text: asked.text, topK: input.topK, mode: modes[input.mode], filter, mmr: input.mmr ?? null, answer: input.answer, generation: input.generation ?? null });
        if (reply.error) {
          const code = reply.error.code === 'INVALID_FILTER' || reply.error.code === 'INVALID_REQUEST' ? 'VALIDATION_FAILED' : reply.error.code === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'INTERNAL';
          throw new GatewayError(code, reply.error.message, { details: { retrieverCode: reply.error.code } });
        }
        // Restored only now, for a pii:read key (app.ts checks the scope): the answer generator sees tokens.
        const restoredAnswer = async (answer: GeneratedAnswer) => (input.restorePii ? { ...answer, text: await deps.pii!.restoreText(tenant, answer.text) } : answer);
        const hits = input.restorePii ? await deps.pii!.restoreHits(tenant, reply.hits) : reply.hits;
        const body = { queryId: reply.queryId, hits, timings: reply.timings };
        if (!streaming) {
          const answer = input.answer ? await restoredAnswer(await deps.generator!.generate({ question: asked.text, hits: reply.hits })) : undefined;
          res.json(answer ? { ...body, answer } : body);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        sse(res, 'hits', body);
        let answer: GeneratedAnswer | undefined;
        try {
          if (input.answer) answer = await deps.generator!.generate({ question: asked.text, hits: reply.hits, onToken: (text) => sse(res, 'token', { text }) });
          // The streamed tokens are the model's own text (PII tokens stay); the final answer is restored.
          sse(res, 'done', answer ? { queryId: reply.queryId, answer: await restoredAnswer(answer) } : { queryId: reply.queryId });
        } catch (error) {
          const e = error instanceof GatewayError ? error : new GatewayError('INTERNAL', 'answer generation failed');
          sse(res, 'error', { code: e.code, message: e.message });
        }
        res.end();
      } finally {
        span.end();
      }
    });
  });
  return router;
}
