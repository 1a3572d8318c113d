import type { Generation, GenerationStore } from '@ragmesh/store';
import type { SearchGeneration } from './app.js';
import { RetrieverError } from './retriever-error.js';

export interface GenerationResolverDeps {
  generations: Pick<GenerationStore, 'activeFor' | 'get' | 'stateOf'>;
  /** Searched for a tenant that has no generation yet (nothing indexed: no hits). */
  defaultGeneration: SearchGeneration;
  /** How long a tenant's active generation is reused; 1 s by default (a cutover is seen within it). */
  ttlMs?: number;
  now?: () => number;
}

export const toSearch = (g: Generation): SearchGeneration => ({ id: g.id, provider: g.provider, model: { id: g.modelId, dims: g.dims } });

/**
 * Which generation a query reads. The tenant's active generation is cached for `ttlMs`, so a
 * cutover or rollback reaches every retriever within a second without a restart; during that
 * second a query reads the previous generation, which is whole (never a mix of the two).
 */
export function createGenerationResolver(deps: GenerationResolverDeps) {
  const ttl = deps.ttlMs ?? 1_000;
  const now = deps.now ?? Date.now;
  const active = new Map<string, { generation: SearchGeneration; until: number }>();
  const byId = new Map<number, SearchGeneration>();

  async function generationFor(tenant: string, requested: number | null): Promise<SearchGeneration> {
    if (requested !== null) {
      const state = await deps.generations.stateOf(tenant, requested);
      if (state !== 'building' && state !== 'active' && state !== 'standby') {
        throw new RetrieverError('INVALID_REQUEST', `generation ${requested} is not a building, active or standby generation of this tenant${state ? ` (it is ${state})` : ''}`);
      }
      let found = byId.get(requested);
      if (!found) {
        const generation = await deps.generations.get(requested);
        if (!generation) throw new RetrieverError('INVALID_REQUEST', `generation ${requested} does not exist`);
        found = toSearch(generation);
        byId.set(requested, found);
      }
      return found;
    }
    const hit = active.get(tenant);
    if (hit && hit.until > now()) return hit.generation;
    const found = await deps.generations.activeFor(tenant);
    const generation = found ? toSearch(found) : deps.defaultGeneration;
    active.set(tenant, { generation, until: now() + ttl });
    if (active.size > 10_000) active.delete(active.keys().next().value!);
    return generation;
  }

  return { generationFor };
}
