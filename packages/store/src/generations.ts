import type pg from 'pg';
import { StoreError } from './store-error.js';
import { inTransaction } from './transaction.js';
import { withTenant } from './with-tenant.js';

export const generationStates = ['building', 'active', 'standby', 'retired', 'cancelled', 'failed'] as const;
export type GenerationState = (typeof generationStates)[number];
/** States whose generation follows live writes: its worker keeps consuming documents.ingest. */
export const followingStates: readonly GenerationState[] = ['building', 'active', 'standby'];

export type EmbeddingProviderName = 'local' | 'openai' | 'hash';

/** What makes an index: the embedding model and, optionally, one chunking policy for every document. */
export interface GenerationSpec {
  provider: EmbeddingProviderName;
  modelId: string;
  modelVersion?: string | null;
  dims: number;
  chunking?: string | null;
}

export interface Generation {
  id: number;
  origin: 'default' | 'reindex';
  provider: EmbeddingProviderName;
  modelId: string;
  modelVersion: string | null;
  dims: number;
  chunking: string | null;
  scopeTenant: string | null;
  maxDocsPerSecond: number | null;
  vectorIndexed: boolean;
  createdAt: Date;
}

export interface TenantGeneration {
  tenant: string;
  generation: number;
  state: GenerationState;
  reason: string | null;
  updatedAt: Date;
  activatedAt: Date | null;
}

interface GenerationRow {
  generation_id: string;
  origin: Generation['origin'];
  provider: EmbeddingProviderName;
  model_id: string;
  model_version: string | null;
  dims: number;
  chunking: string | null;
  scope_tenant: string | null;
  max_docs_per_second: number | null;
  vector_indexed: boolean;
  created_at: Date;
}

const toGeneration = (r: GenerationRow): Generation => ({
  id: Number(r.generation_id), origin: r.origin, provider: r.provider, modelId: r.model_id, modelVersion: r.model_version, dims: r.dims,
  chunking: r.chunking, scopeTenant: r.scope_tenant, maxDocsPerSecond: r.max_docs_per_second, vectorIndexed: r.vector_indexed, createdAt: r.created_at,
});

const MODEL_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Consumer group of a generation's chunk/embed workers: the configured group for the deployment's
 * default generation, a suffixed one for every other.
 */
export function generationGroupId(baseGroupId: string, generation: number, defaultGeneration: number): string {
  return generation === defaultGeneration ? baseGroupId : `${baseGroupId}-g${generation}`;
}

/** Name of a generation's partial HNSW index (dropped with the generation). */
export const vectorIndexName = (generation: number) => `chunks_hnsw_g${generation}`;

/**
 * Index generations: immutable index configurations, and per tenant the state of each
 * (building → active → standby → retired, or cancelled / failed). Exactly one generation is
 * active per tenant (a unique index says so), at most one is building. State changes take the
 * tenant's rows FOR UPDATE, so a cutover, a rollback and a cancel never interleave, and the index
 * writer (which reads the state FOR SHARE in its own transaction) never writes into a generation
 * that a concurrent cancel is dropping.
 */
export function createGenerationStore(pool: pg.Pool) {
  async function get(id: number): Promise<Generation | null> {
    const { rows } = await pool.query<GenerationRow>('SELECT * FROM ragmesh.generations WHERE generation_id = $1', [id]);
    return rows[0] ? toGeneration(rows[0]) : null;
  }

  /** Drops a generation's rows for one tenant (chunks, manifests, staged parts). */
  async function dropRows(tenant: string, generation: number): Promise<void> {
    await withTenant(pool, tenant, async (client) => {
      await client.query('DELETE FROM ragmesh.chunks WHERE generation_id = $1', [generation]);
      await client.query('DELETE FROM ragmesh.documents WHERE generation_id = $1', [generation]);
      await client.query('DELETE FROM ragmesh.staged_parts WHERE generation_id = $1', [generation]);
    });
  }

  /** Drops the vector index once no tenant keeps the generation (every state terminal). */
  async function dropIndexIfUnused(generation: number): Promise<void> {
    const { rows } = await pool.query('SELECT 1 FROM ragmesh.tenant_generations WHERE generation_id = $1 AND state = ANY($2) LIMIT 1', [generation, followingStates]);
    if (rows.length > 0) return;
    await pool.query(`DROP INDEX IF EXISTS ragmesh.${vectorIndexName(generation)}`);
    await pool.query('UPDATE ragmesh.generations SET vector_indexed = false WHERE generation_id = $1', [generation]);
  }

  /** Moves every tenant of `generation` in one of `from` to `to`; returns the tenants moved. */
  async function moveAll(generation: number, move: { from: GenerationState[]; to: GenerationState; reason: string; tenant?: string }): Promise<string[]> {
    const { rows } = await pool.query<{ tenant_id: string }>(
      `UPDATE ragmesh.tenant_generations SET state = $3, reason = $4, updated_at = now()
       WHERE generation_id = $1 AND state = ANY($2) AND ($5::text IS NULL OR tenant_id = $5) RETURNING tenant_id`,
      [generation, move.from, move.to, move.reason, move.tenant ?? null],
    );
    return rows.map((r) => r.tenant_id).sort();
  }

  const findDefault = (spec: GenerationSpec) =>
    pool.query<GenerationRow>(
      `SELECT * FROM ragmesh.generations WHERE origin = 'default' AND provider = $1 AND model_id = $2 AND dims = $3 AND chunking IS NULL
       ORDER BY generation_id LIMIT 1`,
      [spec.provider, spec.modelId, spec.dims],
    );

  return {
    get,
    dropRows,

    /**
     * The deployment's default generation for a service's EMBEDDINGS_* settings (found, or created
     * once): the first generation of every tenant that has none yet.
     */
    async ensureDefault(spec: GenerationSpec): Promise<Generation> {
      if (!MODEL_ID.test(spec.modelId)) throw new StoreError('QUERY_FAILED', `model id ${JSON.stringify(spec.modelId)} not allowed`);
      const find = () => findDefault(spec);
      let { rows } = await find();
      if (!rows[0]) {
        // Two services starting at once: the advisory lock makes one of them create it.
        await inTransaction(pool, async (client) => {
          await client.query("SELECT pg_advisory_xact_lock(hashtext('ragmesh.default-generation'))");
          const again = await client.query('SELECT 1 FROM ragmesh.generations WHERE origin = $1 AND provider = $2 AND model_id = $3 AND dims = $4 AND chunking IS NULL', ['default', spec.provider, spec.modelId, spec.dims]);
          if (again.rows.length === 0) {
            await client.query('INSERT INTO ragmesh.generations (origin, provider, model_id, model_version, dims) VALUES ($1, $2, $3, $4, $5)', ['default', spec.provider, spec.modelId, spec.modelVersion ?? null, spec.dims]);
          }
        });
        ({ rows } = await find());
      }
      return toGeneration(rows[0]!);
    },

    /** The deployment's default generation for these settings, without creating it (the read-only query path). */
    async findDefault(spec: GenerationSpec): Promise<Generation | null> {
      const { rows } = await findDefault(spec);
      return rows[0] ? toGeneration(rows[0]) : null;
    },

    /** Every generation, oldest first. */
    async list(): Promise<Generation[]> {
      const { rows } = await pool.query<GenerationRow>('SELECT * FROM ragmesh.generations ORDER BY generation_id');
      return rows.map(toGeneration);
    },

    /** Per-tenant states, of one tenant or all, ordered by tenant then generation. */
    async tenantStates(filter: { tenant?: string; generation?: number } = {}): Promise<TenantGeneration[]> {
      const { rows } = await pool.query<{ tenant_id: string; generation_id: string; state: GenerationState; reason: string | null; updated_at: Date; activated_at: Date | null }>(
        `SELECT * FROM ragmesh.tenant_generations WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::bigint IS NULL OR generation_id = $2)
         ORDER BY tenant_id, generation_id`,
        [filter.tenant ?? null, filter.generation ?? null],
      );
      return rows.map((r) => ({ tenant: r.tenant_id, generation: Number(r.generation_id), state: r.state, reason: r.reason, updatedAt: r.updated_at, activatedAt: r.activated_at }));
    },

    /** Generations some tenant still follows (building, active, standby). */
    async following(): Promise<Generation[]> {
      const { rows } = await pool.query<GenerationRow>(
        `SELECT * FROM ragmesh.generations g WHERE EXISTS (SELECT 1 FROM ragmesh.tenant_generations t WHERE t.generation_id = g.generation_id AND t.state = ANY($1))
         ORDER BY generation_id`,
        [followingStates],
      );
      return rows.map(toGeneration);
    },

    /**
     * The tenant's active generation. With `firstGeneration`, a tenant that has none gets that one
     * (its first), so the gateway and the workers agree on where a new tenant's documents go.
     */
    async activeFor(tenant: string, firstGeneration?: number): Promise<Generation | null> {
      const read = () =>
        pool.query<GenerationRow>(
          `SELECT g.* FROM ragmesh.generations g JOIN ragmesh.tenant_generations t USING (generation_id) WHERE t.tenant_id = $1 AND t.state = 'active'`,
          [tenant],
        );
      let { rows } = await read();
      if (!rows[0] && firstGeneration !== undefined) {
        await pool.query(
          `INSERT INTO ragmesh.tenant_generations (tenant_id, generation_id, state, activated_at) VALUES ($1, $2, 'active', now()) ON CONFLICT DO NOTHING`,
          [tenant, firstGeneration],
        ).catch((error: unknown) => {
          // Another process made a different generation the tenant's first at the same moment.
          if ((error as { code?: string }).code !== '23505') throw error;
        });
        ({ rows } = await read());
      }
      return rows[0] ? toGeneration(rows[0]) : null;
    },

    /** The tenant's state in `generation`, or null when the tenant has never been part of it. */
    async stateOf(tenant: string, generation: number): Promise<GenerationState | null> {
      const { rows } = await pool.query<{ state: GenerationState }>('SELECT state FROM ragmesh.tenant_generations WHERE tenant_id = $1 AND generation_id = $2', [tenant, generation]);
      return rows[0]?.state ?? null;
    },

    /**
     * Adds a tenant met during the replay of an every-tenant re-index as `building`, unless the
     * tenant already has another building generation. Returns the tenant's state afterwards.
     */
    async joinBuilding(tenant: string, generation: number): Promise<GenerationState | null> {
      await pool.query(
        `INSERT INTO ragmesh.tenant_generations (tenant_id, generation_id, state)
         SELECT $1, $2, 'building' WHERE NOT EXISTS (SELECT 1 FROM ragmesh.tenant_generations WHERE tenant_id = $1 AND state = 'building')
         ON CONFLICT DO NOTHING`,
        [tenant, generation],
      ).catch((error: unknown) => {
        if ((error as { code?: string }).code !== '23505') throw error;
      });
      const { rows } = await pool.query<{ state: GenerationState }>('SELECT state FROM ragmesh.tenant_generations WHERE tenant_id = $1 AND generation_id = $2', [tenant, generation]);
      return rows[0]?.state ?? null;
    },

    /**
     * Creates a re-index generation, building for `tenant` or for every tenant that has an
     * active generation. Refused when one of them already has a building generation.
     */
    async start(options: { spec: GenerationSpec; tenant?: string; maxDocsPerSecond?: number }): Promise<{ generation: Generation; tenants: string[] }> {
      const { spec } = options;
      if (!MODEL_ID.test(spec.modelId)) throw new StoreError('INVALID_GENERATION', `model id ${JSON.stringify(spec.modelId)} must match ${MODEL_ID.source}`);
      return inTransaction(pool, async (client) => {
        const active = await client.query<{ tenant_id: string }>(
          `SELECT tenant_id FROM ragmesh.tenant_generations WHERE state = 'active' AND ($1::text IS NULL OR tenant_id = $1) ORDER BY tenant_id FOR UPDATE`,
          [options.tenant ?? null],
        );
        const tenants = active.rows.map((r) => r.tenant_id);
        if (options.tenant && tenants.length === 0) throw new StoreError('INVALID_GENERATION', `tenant ${options.tenant} has no active generation yet (no document indexed): nothing to re-index`);
        const busy = await client.query<{ tenant_id: string; generation_id: string }>(
          `SELECT tenant_id, generation_id FROM ragmesh.tenant_generations WHERE state = 'building' AND tenant_id = ANY($1) ORDER BY tenant_id`,
          [tenants],
        );
        if (busy.rows.length > 0) {
          const list = busy.rows.map((r) => `${r.tenant_id} (generation ${r.generation_id})`).join(', ');
          throw new StoreError('GENERATION_CONFLICT', `a re-index is already building for ${list}: cut it over or cancel it first`);
        }
        const inserted = await client.query<GenerationRow>(
          `INSERT INTO ragmesh.generations (origin, provider, model_id, model_version, dims, chunking, scope_tenant, max_docs_per_second)
           VALUES ('reindex', $1, $2, $3, $4, $5, $6, $7) RETURNING *`,
          [spec.provider, spec.modelId, spec.modelVersion ?? null, spec.dims, spec.chunking ?? null, options.tenant ?? null, options.maxDocsPerSecond ?? null],
        );
        const generation = toGeneration(inserted.rows[0]!);
        await client.query(
          `INSERT INTO ragmesh.tenant_generations (tenant_id, generation_id, state) SELECT t, $2, 'building' FROM unnest($1::text[]) AS t`,
          [tenants, generation.id],
        );
        return { generation, tenants };
      });
    },

    /**
     * Marks every tenant still building `generation` as failed with `reason` (its model cannot be
     * loaded, say); returns those tenants. Active and standby states are left as they are.
     */
    async fail(generation: number, reason: string): Promise<string[]> {
      return moveAll(generation, { from: ['building'], to: 'failed', reason: reason.slice(0, 1000) });
    },

    /** Records that the generation's vector index now exists (bulk fill done). */
    async markVectorIndexed(generation: number): Promise<void> {
      await pool.query('UPDATE ragmesh.generations SET vector_indexed = true WHERE generation_id = $1', [generation]);
    },

    /**
     * Switches the tenant atomically: building → active, active → standby, and a previous standby
     * → retired (its rows dropped after the switch). Returns what changed. Readiness (lag, absent
     * documents) is the caller's to check first.
     */
    async cutover(tenant: string): Promise<{ activated: number; standby: number | null; retired: number | null }> {
      const result = await inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ generation_id: string; state: GenerationState }>(
          'SELECT generation_id, state FROM ragmesh.tenant_generations WHERE tenant_id = $1 FOR UPDATE', [tenant],
        );
        const find = (state: GenerationState) => rows.find((r) => r.state === state);
        const building = find('building');
        if (!building) throw new StoreError('GENERATION_CONFLICT', `tenant ${tenant} has no building generation to cut over to`);
        const active = find('active');
        const standby = find('standby');
        // Order matters for the unique indexes: free the active slot before taking it.
        if (standby) await client.query("UPDATE ragmesh.tenant_generations SET state = 'retired', reason = 'replaced by a cutover', updated_at = now() WHERE tenant_id = $1 AND generation_id = $2", [tenant, standby.generation_id]);
        if (active) await client.query("UPDATE ragmesh.tenant_generations SET state = 'standby', updated_at = now() WHERE tenant_id = $1 AND generation_id = $2", [tenant, active.generation_id]);
        await client.query("UPDATE ragmesh.tenant_generations SET state = 'active', activated_at = now(), updated_at = now() WHERE tenant_id = $1 AND generation_id = $2", [tenant, building.generation_id]);
        await bumpCorpusVersion(client, tenant);
        return { activated: Number(building.generation_id), standby: active ? Number(active.generation_id) : null, retired: standby ? Number(standby.generation_id) : null };
      });
      if (result.retired !== null) {
        await dropRows(tenant, result.retired);
        await dropIndexIfUnused(result.retired);
      }
      return result;
    },

    /** The standby generation becomes active again; the active one becomes standby. */
    async rollback(tenant: string): Promise<{ activated: number; standby: number }> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ generation_id: string; state: GenerationState }>(
          'SELECT generation_id, state FROM ragmesh.tenant_generations WHERE tenant_id = $1 FOR UPDATE', [tenant],
        );
        const standby = rows.find((r) => r.state === 'standby');
        const active = rows.find((r) => r.state === 'active');
        if (!standby || !active) throw new StoreError('GENERATION_CONFLICT', `tenant ${tenant} has no standby generation to roll back to`);
        await client.query("UPDATE ragmesh.tenant_generations SET state = 'standby', updated_at = now() WHERE tenant_id = $1 AND generation_id = $2", [tenant, active.generation_id]);
        await client.query("UPDATE ragmesh.tenant_generations SET state = 'active', activated_at = now(), updated_at = now() WHERE tenant_id = $1 AND generation_id = $2", [tenant, standby.generation_id]);
        await bumpCorpusVersion(client, tenant);
        return { activated: Number(standby.generation_id), standby: Number(active.generation_id) };
      });
    },

    /**
     * `cancel`: every building tenant of the generation → cancelled; `retire`: every standby one →
     * retired. Then their rows and, once no tenant keeps it, the vector index are dropped. Refused
     * while the generation is in a state the verb does not end (retire an active one, cancel a
     * standby one). With `tenant`, only that tenant's part of the generation ends (e.g. the raw
     * copy a tenant left in the shared default generation when it turned PII redaction on).
     */
    async end(generation: number, verb: 'cancel' | 'retire', tenant?: string): Promise<{ tenants: string[] }> {
      const found = await get(generation);
      if (!found) throw new StoreError('INVALID_GENERATION', `generation ${generation} does not exist`);
      const from: GenerationState[] = verb === 'cancel' ? ['building'] : ['standby'];
      const blocking: GenerationState[] = verb === 'cancel' ? ['active', 'standby'] : ['active', 'building'];
      const states = await pool.query<{ tenant_id: string; state: GenerationState }>(
        'SELECT tenant_id, state FROM ragmesh.tenant_generations WHERE generation_id = $1 AND state = ANY($2) AND ($3::text IS NULL OR tenant_id = $3) ORDER BY tenant_id',
        [generation, blocking, tenant ?? null],
      );
      if (states.rows.length > 0) {
        const list = states.rows.map((r) => `${r.tenant_id} (${r.state})`).join(', ');
        const hint = verb === 'cancel' ? 'roll back or retire instead' : 'roll back, cut over or cancel first';
        throw new StoreError('GENERATION_CONFLICT', `generation ${generation} cannot be ${verb === 'cancel' ? 'cancelled' : 'retired'}: ${list}; ${hint}`);
      }
      const tenants = await moveAll(generation, { from, to: verb === 'cancel' ? 'cancelled' : 'retired', reason: verb === 'cancel' ? 'cancelled by an operator' : 'retired by an operator', tenant });
      for (const tenant of tenants) await dropRows(tenant, generation);
      await dropIndexIfUnused(generation);
      return { tenants };
    },
  };
}

async function bumpCorpusVersion(client: pg.PoolClient, tenant: string): Promise<void> {
  // corpus_versions is under RLS: set the tenant for the rest of this transaction.
  await client.query("SELECT set_config('ragmesh.tenant_id', $1, true)", [tenant]);
  await client.query(
    `INSERT INTO ragmesh.corpus_versions (tenant_id, version) VALUES ($1, 1)
     ON CONFLICT (tenant_id) DO UPDATE SET version = ragmesh.corpus_versions.version + 1`,
    [tenant],
  );
}

export type GenerationStore = ReturnType<typeof createGenerationStore>;
