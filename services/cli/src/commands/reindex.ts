import { getPolicy } from '@ragmesh/chunking';
import { kafkaClientOptions, vectorIndexGraph } from '@ragmesh/config';
import { topics } from '@ragmesh/contracts';
import { isLocalModelId, localModels } from '@ragmesh/embeddings';
import {
  createGenerationStore, createPool, createVectorIndex, generationCounts, generationGroupId, migrate,
  type EmbeddingProviderName, type Generation, type GenerationSpec, type GenerationState, type GenerationStore,
} from '@ragmesh/store';
import type { Logger } from '@ragmesh/telemetry';
import { consumerLag, createKafka } from '@ragmesh/worker-runtime';
import type { Admin } from 'kafkajs';
import type { CliConfig } from '../config.js';

/** One tenant's view of a generation, as `reindex status` reports it. */
export interface TenantProgress {
  tenant: string;
  state: GenerationState;
  documentsDone: number;
  documentsTotal: number;
  failed: number;
  chunks: number;
  /** Live documents of the active generation missing here although the replay is over. */
  absent: number;
  /** Their ids (the first 100). */
  absentIds: string[];
  /** Why the tenant left the generation (failed, cancelled, retired). */
  reason: string | null;
}

export interface GenerationStatus {
  id: number;
  /** The tenants' state when they agree, else `mixed` (see `tenants`). */
  state: GenerationState | 'mixed';
  model: string;
  provider: EmbeddingProviderName;
  dims: number;
  chunking: string | null;
  documentsDone: number;
  documentsTotal: number;
  chunks: number;
  failed: number;
  absent: number;
  /** Documents per second since the generation was created. */
  rate: number;
  etaSeconds: number | null;
  /** documents.ingest records its consumer group has not read yet. */
  lag: number;
  /** vectors.upsert records the indexer has not applied yet (shared by every generation). */
  indexerLag: number;
  /** Replay over (no lag, the indexer idle) and every live document of the active generation present or failed. */
  caughtUp: boolean;
  tenants: TenantProgress[];
}

/** The chunk/embed group of `generation`, taking the newest default generation as the workers' default. */
function groupOf(config: CliConfig, generation: Generation, newestDefault: number): string {
  return generationGroupId(config.CHUNK_EMBED_GROUP_ID, generation.id, newestDefault);
}

/** What `reindex start` asks for, with the provider and dims inferred for known models. */
export function generationSpec(options: { model: string; provider?: string; dims?: number; chunking?: string }): GenerationSpec {
  const hashDims = /^hash-(\d+)$/.exec(options.model);
  const provider = (options.provider ?? (isLocalModelId(options.model) ? 'local' : hashDims ? 'hash' : undefined)) as EmbeddingProviderName | undefined;
  if (!provider) throw new Error(`--provider is required for model ${options.model} (local models: ${Object.keys(localModels).join(', ')}; hash-<dims>; or openai)`);
  if (!['local', 'openai', 'hash'].includes(provider)) throw new Error(`--provider must be local, openai or hash, got ${provider}`);
  if (provider === 'local' && !isLocalModelId(options.model)) throw new Error(`--model ${options.model} is not a local model (${Object.keys(localModels).join(', ')})`);
  const known = provider === 'local' && isLocalModelId(options.model) ? localModels[options.model].dims : hashDims ? Number(hashDims[1]) : undefined;
  const dims = options.dims ?? known;
  if (!dims) throw new Error(`--dims is required for model ${options.model}`);
  if (known !== undefined && dims !== known) throw new Error(`--dims ${dims} does not match model ${options.model} (${known})`);
  if (options.chunking) getPolicy(options.chunking);
  return { provider, modelId: options.model, dims, chunking: options.chunking ?? null };
}

/**
 * The re-index commands over one connection pool and one Kafka admin client; `close()` when done.
 * State lives in Postgres (packages/store generations); the chunk/embed workers pick changes up
 * by themselves within seconds.
 */
export async function openReindex(config: CliConfig, options: { logger: Logger }) {
  const pool = createPool({ connectionString: config.DATABASE_URL, max: 2, applicationName: 'ragmesh-cli' });
  await migrate(pool);
  const generations: GenerationStore = createGenerationStore(pool);
  const kafka = createKafka({ ...kafkaClientOptions(config, 'ragmesh-cli'), logger: options.logger });
  const admin: Admin = kafka.admin();
  await admin.connect();

  async function groupLag(groupId: string, topic: string): Promise<number> {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return consumerLag(ends, committed?.partitions ?? []);
  }

  async function status(filter: { tenant?: string } = {}): Promise<GenerationStatus[]> {
    const all = await generations.list();
    const newestDefault = Math.max(0, ...all.filter((g) => g.origin === 'default').map((g) => g.id));
    const states = await generations.tenantStates({ tenant: filter.tenant });
    const active = new Map(states.filter((s) => s.state === 'active').map((s) => [s.tenant, s.generation]));
    const indexerLag = await groupLag(config.INDEXER_GROUP_ID, topics.vectorsUpsert);
    const result: GenerationStatus[] = [];
    for (const generation of all) {
      const mine = states.filter((s) => s.generation === generation.id);
      if (mine.length === 0) continue;
      const following = mine.some((s) => s.state === 'building' || s.state === 'active' || s.state === 'standby');
      const lag = following ? await groupLag(groupOf(config, generation, newestDefault), topics.documentsIngest) : 0;
      const tenants: TenantProgress[] = [];
      for (const s of mine) {
        if (s.state !== 'building' && s.state !== 'active' && s.state !== 'standby') {
          tenants.push({ tenant: s.tenant, state: s.state, documentsDone: 0, documentsTotal: 0, failed: 0, chunks: 0, absent: 0, absentIds: [], reason: s.reason });
          continue;
        }
        const counts = await generationCounts(pool, { tenant: s.tenant, generation: generation.id, active: active.get(s.tenant) ?? null });
        const done = counts.activeLive - counts.missing;
        const replayOver = lag === 0 && indexerLag === 0;
        tenants.push({
          tenant: s.tenant, state: s.state, documentsDone: done, documentsTotal: counts.activeLive, failed: counts.failed, chunks: counts.chunks,
          absent: replayOver ? counts.missing : 0, absentIds: replayOver ? counts.missingIds : [], reason: s.reason,
        });
      }
      const sum = (pick: (t: TenantProgress) => number) => tenants.reduce((n, t) => n + pick(t), 0);
      const distinct = [...new Set(tenants.map((t) => t.state))];
      const documentsDone = sum((t) => t.documentsDone);
      const documentsTotal = sum((t) => t.documentsTotal);
      const seconds = Math.max(1, (Date.now() - generation.createdAt.getTime()) / 1000);
      const rate = documentsDone / seconds;
      const missing = tenants.reduce((n, t) => n + (t.documentsTotal - t.documentsDone), 0);
      result.push({
        id: generation.id,
        state: distinct.length === 1 ? distinct[0]! : 'mixed',
        model: generation.modelId,
        provider: generation.provider,
        dims: generation.dims,
        chunking: generation.chunking,
        documentsDone,
        documentsTotal,
        chunks: sum((t) => t.chunks),
        failed: sum((t) => t.failed),
        absent: sum((t) => t.absent),
        rate: Math.round(rate * 100) / 100,
        etaSeconds: missing === 0 ? 0 : rate > 0 ? Math.ceil(missing / rate) : null,
        lag,
        indexerLag,
        caughtUp: following && lag === 0 && indexerLag === 0 && missing - sum((t) => t.absent) === 0,
        tenants,
      });
    }
    return result;
  }

  /** Why `tenant` cannot cut over yet, or null when it can. */
  async function cutoverBlocker(tenant: string, allowAbsent: boolean): Promise<{ reason: string | null; building: GenerationStatus | null }> {
    const found = (await status({ tenant })).find((g) => g.tenants.some((t) => t.tenant === tenant && t.state === 'building')) ?? null;
    if (!found) return { reason: `tenant ${tenant} has no building generation`, building: null };
    const mine = found.tenants.find((t) => t.tenant === tenant)!;
    if (found.lag > 0) return { reason: `generation ${found.id} is still replaying documents.ingest: ${found.lag} records behind`, building: found };
    if (found.indexerLag > 0) return { reason: `the indexer has ${found.indexerLag} vectors.upsert records to apply`, building: found };
    const missing = mine.documentsTotal - mine.documentsDone;
    if (missing > mine.absent) return { reason: `${missing - mine.absent} documents of the active generation are not in generation ${found.id} yet`, building: found };
    if (mine.absent > 0 && !allowAbsent) {
      return {
        reason: `${mine.absent} documents of the active generation are absent from documents.ingest (published before it was compacted and expired); \`reindex status\` lists them; cut over with --allow-absent to drop them`,
        building: found,
      };
    }
    return { reason: null, building: found };
  }

  return {
    generations,
    status,

    async start(options: { spec: GenerationSpec; tenant?: string; maxDocsPerSecond?: number }) {
      return generations.start(options);
    },

    /** Cuts `tenant` over once its building generation has caught up; builds the vector index first. */
    async cutover(tenant: string, options: { allowAbsent: boolean }) {
      const { reason, building } = await cutoverBlocker(tenant, options.allowAbsent);
      if (reason || !building) throw new Error(`cutover refused for ${tenant}: ${reason}`);
      const generation = await generations.get(building.id);
      // Bulk fill: the generation's rows are all there; pgvector builds its HNSW index over them now.
      if (generation && !generation.vectorIndexed) await createVectorIndex(pool, { generation: generation.id, dims: generation.dims, graph: vectorIndexGraph(config) });
      return generations.cutover(tenant);
    },

    rollback: (tenant: string) => generations.rollback(tenant),

    /** Cancels or retires a generation, then deletes its consumer group once its workers left it. */
    async end(generation: number, verb: 'cancel' | 'retire', options: { waitSeconds?: number; tenant?: string } = {}) {
      const all = await generations.list();
      const found = all.find((g) => g.id === generation);
      const newestDefault = Math.max(0, ...all.filter((g) => g.origin === 'default').map((g) => g.id));
      const ended = await generations.end(generation, verb, options.tenant);
      let groupDeleted = false;
      const stillFollowed = (await generations.following()).some((g) => g.id === generation);
      if (found && !stillFollowed && !(found.origin === 'default' && found.id === newestDefault)) {
        const deadline = Date.now() + (options.waitSeconds ?? 15) * 1000;
        while (!groupDeleted && Date.now() < deadline) {
          groupDeleted = await admin.deleteGroups([groupOf(config, found, newestDefault)]).then(() => true, () => false);
          if (!groupDeleted) await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
      return { ...ended, groupDeleted };
    },

    async close(): Promise<void> {
      await admin.disconnect();
      await pool.end();
    },
  };
}
