import { z } from 'zod';
import { describeIssues, filterSchema } from './filter-schema.js';
import { RetrievalError } from './retrieval-error.js';

export const searchModes = ['hybrid', 'dense', 'sparse'] as const;
export type SearchMode = (typeof searchModes)[number];

/** Most candidates MMR may consider (it costs fetchK x topK x dims multiplications). */
export const MAX_FETCH_K = 500;
export const MAX_TOP_K = 100;
const MAX_TEXT = 10_000;

const noNul = (s: string) => !s.includes('\u0000');

export const searchRequestSchema = z
  .object({
    tenant: z.string().min(1, { error: 'a tenant is required' }).max(200).refine(noNul, { error: 'must not contain NUL characters' }),
    model: z.object({
      // The same rule as the store's index writer; dims is spliced into the SQL as a type modifier.
      id: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: 'model id must match ^[A-Za-z0-9._-]{1,100}$' }),
      dims: z.number().int().min(1).max(16000),
    }),
    /** The index generation searched (the tenant's active one unless a caller compares another). */
    generation: z.number().int().min(0),
    queryVector: z.union([z.custom<Float32Array>((v) => v instanceof Float32Array, { error: 'must be a Float32Array' }), z.array(z.number())]).nullable(),
    text: z.string().max(MAX_TEXT).refine(noNul, { error: 'must not contain NUL characters' }),
    topK: z.number().int().min(1).max(MAX_TOP_K),
    mode: z.enum(searchModes),
    filter: filterSchema.optional(),
    mmr: z.object({ lambda: z.number().min(0).max(1), fetchK: z.number().int().min(1).max(MAX_FETCH_K) }).optional(),
  })
  .superRefine((request, ctx) => {
    const vector = request.queryVector;
    if (vector === null) {
      if (request.mode !== 'sparse') ctx.addIssue({ code: 'custom', path: ['queryVector'], message: `mode ${request.mode} needs a query vector` });
      else if (request.mmr) ctx.addIssue({ code: 'custom', path: ['queryVector'], message: 'mmr needs a query vector' });
      return;
    }
    if (vector.length !== request.model.dims) {
      ctx.addIssue({ code: 'custom', path: ['queryVector'], message: `has ${vector.length} dimensions, model ${request.model.id} has ${request.model.dims}` });
    } else if (!vector.every(Number.isFinite)) {
      ctx.addIssue({ code: 'custom', path: ['queryVector'], message: 'must hold finite numbers only' });
    }
  });

/** What `search` takes; `filter` is a parsed Filter (see parseFilter). */
export type SearchRequest = z.infer<typeof searchRequestSchema>;

/** Validates a search request; throws RetrievalError INVALID_FILTER or INVALID_REQUEST naming the problem. */
export function parseSearchRequest(request: unknown): SearchRequest {
  const result = searchRequestSchema.safeParse(request);
  if (result.success) return result.data;
  const filterIssue = result.error.issues.some((issue) => issue.path[0] === 'filter');
  const code = filterIssue ? 'INVALID_FILTER' : 'INVALID_REQUEST';
  throw new RetrievalError(code, `invalid search request: ${describeIssues(result.error, 'request')}`, { cause: result.error });
}
