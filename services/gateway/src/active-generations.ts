import type { GenerationStore } from '@ragmesh/store';
import type { IndexGenerationResolver } from './documents-router.js';

/**
 * The tenant's active generation for the documents routes, cached for `ttlMs` (1 s): a cutover
 * reaches every gateway within a second. A tenant without one gets `defaultGeneration` as its
 * first, the same choice the chunk/embed workers make.
 */
export function createActiveGenerations(deps: { generations: Pick<GenerationStore, 'activeFor'>; defaultGeneration: number; ttlMs?: number }): IndexGenerationResolver {
  const cache = new Map<string, { value: Awaited<ReturnType<IndexGenerationResolver>>; until: number }>();
  return async (tenant) => {
    const hit = cache.get(tenant);
    if (hit && hit.until > Date.now()) return hit.value;
    const generation = await deps.generations.activeFor(tenant, deps.defaultGeneration);
    if (!generation) throw new Error(`tenant ${tenant} has no active generation and none could be given`);
    const value = { id: generation.id, modelId: generation.modelId, chunking: generation.chunking };
    cache.set(tenant, { value, until: Date.now() + (deps.ttlMs ?? 1_000) });
    if (cache.size > 10_000) cache.delete(cache.keys().next().value!);
    return value;
  };
}
