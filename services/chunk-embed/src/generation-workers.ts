import type { Generation, GenerationState } from '@ragmesh/store';
import type { Logger } from '@ragmesh/telemetry';
import type { GenerationTarget } from './app.js';

/** What the supervisor reads about generations (a slice of the store's GenerationStore). */
export interface GenerationSource {
  following(): Promise<Generation[]>;
  stateOf(tenant: string, generation: number): Promise<GenerationState | null>;
  activeFor(tenant: string, firstGeneration?: number): Promise<Generation | null>;
  joinBuilding(tenant: string, generation: number): Promise<GenerationState | null>;
  /** Ends a building generation that can never run (its model does not load). */
  fail(generation: number, reason: string): Promise<string[]>;
}

/** A running consumer of documents.ingest for one generation. */
export interface RunningWorker {
  stop(): Promise<void>;
  isJoined(): boolean;
}

export interface GenerationWorkersDeps {
  source: GenerationSource;
  /** The deployment's default generation (EMBEDDINGS_*): new tenants' first, always consumed. */
  defaultGeneration: Generation;
  /** Starts the consumer of one generation (its own group, its model). */
  start: (generation: Generation, target: GenerationTarget) => Promise<RunningWorker>;
  logger: Logger;
  /** How often the set of generations is read again; 2 s by default. */
  pollMs?: number;
  /** How long a tenant's membership answer is reused; 2 s by default. */
  membershipTtlMs?: number;
}

const FOLLOWING: readonly (GenerationState | null)[] = ['building', 'active', 'standby'];

/**
 * Keeps one documents.ingest consumer running per generation that some tenant follows
 * (building, active or standby) plus the default one, starting consumers for generations that
 * appear (`reindex start`) and stopping those every tenant has left (cancel, retire). A running
 * mesh so picks up re-indexes without a restart.
 */
export function createGenerationWorkers(deps: GenerationWorkersDeps) {
  const logger = deps.logger.child({ component: 'generations' });
  const running = new Map<number, RunningWorker>();
  const starting = new Set<number>();
  const ttl = deps.membershipTtlMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Whether `generation` takes `tenant`'s documents; enrols the tenant where that is due. */
  function membership(generation: Generation): GenerationTarget['serves'] {
    const cache = new Map<string, { serves: boolean; until: number }>();
    const isDefault = generation.id === deps.defaultGeneration.id;
    return async (tenant) => {
      const hit = cache.get(tenant);
      if (hit && hit.until > Date.now()) return hit.serves;
      let state = await deps.source.stateOf(tenant, generation.id);
      if (state === null && isDefault) {
        // A tenant's first document: it gets the default generation, unless another process
        // already gave it one.
        const active = await deps.source.activeFor(tenant, generation.id);
        state = active?.id === generation.id ? 'active' : null;
      } else if (state === null && generation.origin === 'reindex' && generation.scopeTenant === null) {
        // A re-index of every tenant also takes tenants that appeared after it started.
        state = await deps.source.joinBuilding(tenant, generation.id);
      }
      const serves = FOLLOWING.includes(state);
      cache.set(tenant, { serves, until: Date.now() + ttl });
      return serves;
    };
  }

  async function startOne(generation: Generation): Promise<void> {
    starting.add(generation.id);
    try {
      const worker = await deps.start(generation, { id: generation.id, chunking: generation.chunking, serves: membership(generation) });
      if (stopped) {
        await worker.stop();
        return;
      }
      running.set(generation.id, worker);
      logger.info('generation consumer started', { generation: generation.id, model: generation.modelId });
    } finally {
      starting.delete(generation.id);
    }
  }

  async function reconcile(): Promise<void> {
    const wanted = new Map((await deps.source.following()).map((g) => [g.id, g]));
    wanted.set(deps.defaultGeneration.id, deps.defaultGeneration);
    for (const [id, generation] of wanted) {
      if (running.has(id) || starting.has(id)) continue;
      // Started in the background: loading a model takes seconds and must not hold up the others.
      startOne(generation).catch(async (error: unknown) => {
        logger.error('generation consumer did not start', { generation: id, error: String(error) });
        // A model that cannot load never will: a building generation fails with the reason
        // (reindex status shows it) instead of being tried every poll for ever.
        const code = (error as { code?: string }).code;
        if (code === 'INVALID_CONFIG' || code === 'MODEL_LOAD_FAILED') {
          const tenants = await deps.source.fail(id, `model ${generation.modelId} (${generation.provider}) cannot be loaded: ${(error as Error).message}`).catch(() => []);
          if (tenants.length > 0) logger.error('generation failed', { generation: id, tenants });
        }
      });
    }
    for (const [id, worker] of running) {
      if (wanted.has(id)) continue;
      running.delete(id);
      await worker.stop();
      logger.info('generation consumer stopped: no tenant follows it', { generation: id });
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      reconcile()
        .catch((error: unknown) => logger.warn('generations not read; retrying', { error: String(error) }))
        .finally(schedule);
    }, deps.pollMs ?? 2_000);
  }

  return {
    /** Starts the consumers of the generations followed now, and keeps watching. */
    /** Safe to call again after it failed (main retries it while Kafka or Postgres is away). */
    async start(): Promise<void> {
      if (!running.has(deps.defaultGeneration.id)) await startOne(deps.defaultGeneration);
      await reconcile();
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      const workers = [...running.values()];
      running.clear();
      await Promise.all(workers.map((w) => w.stop()));
    },
    /** Readiness: every started consumer has joined its group. */
    check(): void {
      const waiting = [...running.entries()].filter(([, w]) => !w.isJoined()).map(([id]) => id);
      if (!running.has(deps.defaultGeneration.id)) throw new Error('the default generation consumer is not running yet');
      if (waiting.length > 0) throw new Error(`not in the consumer group yet: generation ${waiting.join(', ')}`);
    },
    generations: () => [...running.keys()].sort((a, b) => a - b),
  };
}

/**
 * Paces a throttled generation at `perSecond` documents: each call waits until the documents
 * before it have had their share of time. Slices are cut to about one second of work, so the
 * wait never outlasts a heartbeat interval.
 */
export function createPacer(perSecond: number, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))) {
  let next = 0;
  return async (documents: number): Promise<void> => {
    if (documents <= 0) return;
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + (documents / perSecond) * 1000;
    if (at > now) await sleep(at - now);
  };
}
