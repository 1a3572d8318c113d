/**
 * Schema migrations, applied in order by `migrate`. Append new entries; never edit an applied one.
 * Tenant isolation is enforced by row-level security on every tenant table, FORCEd so that the
 * owning role is bound by it too; the tenant comes from the `ragmesh.tenant_id` setting.
 */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'documents and chunks under row-level security',
    sql: `
      CREATE TABLE ragmesh.documents (
        tenant_id      text        NOT NULL,
        document_id    text        NOT NULL,
        status         text        NOT NULL CHECK (status IN ('pending', 'indexed', 'deleted', 'failed')),
        content_hash   text,
        uri            text,
        title          text,
        metadata       jsonb       NOT NULL DEFAULT '{}',
        chunk_policy   text        NOT NULL DEFAULT 'default',
        model_id       text,
        model_version  text,
        dims           integer,
        active_version bigint,
        chunk_count    integer     NOT NULL DEFAULT 0,
        failure_reason text,
        failed_version bigint,
        requested_op      text CHECK (requested_op IN ('UPSERT', 'DELETE')),
        requested_hash    text,
        requested_version bigint,
        requested_at      timestamptz,
        indexed_at        timestamptz,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, document_id)
      );
      CREATE TABLE ragmesh.chunks (
        tenant_id   text     NOT NULL,
        chunk_id    text     NOT NULL,
        document_id text     NOT NULL,
        version     bigint   NOT NULL,
        ordinal     integer  NOT NULL,
        text        text     NOT NULL,
        text_hash   text     NOT NULL,
        token_count integer  NOT NULL DEFAULT 0,
        title       text,
        -- The document title is searchable from every chunk, as it is part of what is embedded.
        tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, '') || ' ' || text)) STORED,
        embedding   vector   NOT NULL,
        model_id    text     NOT NULL,
        metadata    jsonb    NOT NULL DEFAULT '{}',
        PRIMARY KEY (tenant_id, chunk_id)
      );
      CREATE INDEX chunks_document_idx ON ragmesh.chunks (tenant_id, document_id);
      CREATE INDEX chunks_tsv_idx ON ragmesh.chunks USING gin (tsv);
      CREATE INDEX chunks_metadata_idx ON ragmesh.chunks USING gin (metadata jsonb_path_ops);

      -- Parts of a document version that arrived split over several vectors.upsert messages,
      -- held until the version is complete so readers never see half of it.
      CREATE TABLE ragmesh.staged_parts (
        tenant_id    text   NOT NULL,
        document_id  text   NOT NULL,
        version      bigint NOT NULL,
        content_hash text   NOT NULL,
        part         integer NOT NULL,
        part_count   integer NOT NULL,
        payload      jsonb  NOT NULL,
        PRIMARY KEY (tenant_id, document_id, version, content_hash, part)
      );
      -- Bumped on every change of a tenant's corpus; result caches key on it.
      CREATE TABLE ragmesh.corpus_versions (
        tenant_id text   PRIMARY KEY,
        version   bigint NOT NULL DEFAULT 0
      );
      -- Looked up before a tenant is known, so not under RLS; holds only sha256 hashes of keys.
      CREATE TABLE ragmesh.api_keys (
        key_hash   text        PRIMARY KEY,
        tenant_id  text        NOT NULL,
        name       text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );

      ALTER TABLE ragmesh.documents ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.documents FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ragmesh.documents
        USING (tenant_id = current_setting('ragmesh.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('ragmesh.tenant_id', true));
      ALTER TABLE ragmesh.chunks ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.chunks FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ragmesh.chunks
        USING (tenant_id = current_setting('ragmesh.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('ragmesh.tenant_id', true));
      ALTER TABLE ragmesh.staged_parts ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.staged_parts FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ragmesh.staged_parts
        USING (tenant_id = current_setting('ragmesh.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('ragmesh.tenant_id', true));
      ALTER TABLE ragmesh.corpus_versions ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.corpus_versions FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ragmesh.corpus_versions
        USING (tenant_id = current_setting('ragmesh.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('ragmesh.tenant_id', true));
    `,
  },
  {
    version: 2,
    name: 'full-text vector stored inline, GIN indexes without a pending list',
    sql: `
      -- The sparse leg reads tsv of up to 1,000 candidate rows per query. Out of line in TOAST each
      -- read was a TOAST index descent plus pages (~30 us per row on 100k chunks); MAIN keeps it in
      -- the row, lz4 (where the server has it) decompresses it faster than pglz. The embedding, read
      -- only for the few rows a search returns (HNSW scans use the index's copy), goes out of line
      -- first. Rows written before this migration keep their layout until rewritten (VACUUM FULL).
      ALTER TABLE ragmesh.chunks ALTER COLUMN tsv SET STORAGE MAIN, ALTER COLUMN embedding SET STORAGE EXTERNAL;
      DO $$
      BEGIN
        ALTER TABLE ragmesh.chunks ALTER COLUMN tsv SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this server has no lz4; tsv stays pglz-compressed';
      END $$;
      -- With fastupdate, new entries wait in a pending list that every search scans in full until
      -- a flush; only autovacuum (or a 4 MB overflow) flushes it, so with autovacuum off the list
      -- stays full and a sparse query took 9 ms in the index alone instead of 0.1 ms.
      ALTER INDEX ragmesh.chunks_tsv_idx SET (fastupdate = off);
      ALTER INDEX ragmesh.chunks_metadata_idx SET (fastupdate = off);
      SELECT gin_clean_pending_list('ragmesh.chunks_tsv_idx'::regclass), gin_clean_pending_list('ragmesh.chunks_metadata_idx'::regclass);
    `,
  },
  {
    version: 3,
    name: 'index generations: chunks and manifests belong to a generation, one active per tenant',
    sql: `
      -- A generation is an immutable index configuration; its state is per tenant.
      CREATE TABLE ragmesh.generations (
        generation_id       bigserial   PRIMARY KEY,
        origin              text        NOT NULL CHECK (origin IN ('default', 'reindex')),
        provider            text        NOT NULL CHECK (provider IN ('local', 'openai', 'hash')),
        model_id            text        NOT NULL CHECK (model_id ~ '^[A-Za-z0-9._-]{1,100}$'),
        model_version       text,
        dims                integer     NOT NULL CHECK (dims BETWEEN 1 AND 16000),
        -- A chunking policy for every document of the generation; null keeps each document's own.
        chunking            text,
        -- The one tenant a re-index was started for; null: every tenant.
        scope_tenant        text,
        max_docs_per_second integer     CHECK (max_docs_per_second > 0),
        -- Rows first, vector index after (bulk fill): set once the generation's HNSW index exists.
        vector_indexed      boolean     NOT NULL DEFAULT false,
        created_at          timestamptz NOT NULL DEFAULT now()
      );
      -- Holds no document content; read across tenants by operators and workers, so not under RLS.
      CREATE TABLE ragmesh.tenant_generations (
        tenant_id     text        NOT NULL,
        generation_id bigint      NOT NULL REFERENCES ragmesh.generations,
        state         text        NOT NULL CHECK (state IN ('building', 'active', 'standby', 'retired', 'cancelled', 'failed')),
        reason        text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        activated_at  timestamptz,
        PRIMARY KEY (tenant_id, generation_id)
      );
      CREATE UNIQUE INDEX tenant_generations_one_active ON ragmesh.tenant_generations (tenant_id) WHERE state = 'active';
      CREATE UNIQUE INDEX tenant_generations_one_building ON ragmesh.tenant_generations (tenant_id) WHERE state = 'building';
      CREATE INDEX tenant_generations_generation_idx ON ragmesh.tenant_generations (generation_id, state);

      ALTER TABLE ragmesh.documents ADD COLUMN generation_id bigint;
      ALTER TABLE ragmesh.chunks ADD COLUMN generation_id bigint;
      ALTER TABLE ragmesh.staged_parts ADD COLUMN generation_id bigint;

      -- Rows written before generations: one default generation per model found, active for the
      -- tenants that used it last. The owner is bound by FORCEd RLS, so lift it for this transaction.
      ALTER TABLE ragmesh.documents NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.chunks NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.staged_parts NO FORCE ROW LEVEL SECURITY;
      INSERT INTO ragmesh.generations (origin, provider, model_id, model_version, dims, vector_indexed)
        SELECT DISTINCT ON (model_id) 'default',
               CASE WHEN model_id LIKE 'hash-%' THEN 'hash'
                    WHEN model_id IN ('all-MiniLM-L6-v2', 'all-MiniLM-L6-v2-q', 'bge-small-en-v1.5', 'bge-small-en-v1.5-q') THEN 'local'
                    ELSE 'openai' END,
               model_id, model_version, dims, true
        FROM ragmesh.documents WHERE model_id IS NOT NULL AND dims IS NOT NULL
        ORDER BY model_id, updated_at DESC;
      UPDATE ragmesh.documents d SET generation_id = g.generation_id FROM ragmesh.generations g WHERE g.model_id = d.model_id;
      UPDATE ragmesh.chunks c SET generation_id = g.generation_id FROM ragmesh.generations g WHERE g.model_id = c.model_id;
      INSERT INTO ragmesh.tenant_generations (tenant_id, generation_id, state, activated_at)
        SELECT DISTINCT ON (tenant_id) tenant_id, generation_id, 'active', now()
        FROM ragmesh.documents WHERE generation_id IS NOT NULL ORDER BY tenant_id, indexed_at DESC NULLS LAST;
      INSERT INTO ragmesh.tenant_generations (tenant_id, generation_id, state)
        SELECT DISTINCT d.tenant_id, d.generation_id, 'standby' FROM ragmesh.documents d
        WHERE d.generation_id IS NOT NULL
        ON CONFLICT DO NOTHING;
      -- Requests not yet indexed (no model) belong to their tenant's active generation; chunks of
      -- a model no document names any more, and staged parts, are rebuilt by the next delivery.
      UPDATE ragmesh.documents d SET generation_id = t.generation_id FROM ragmesh.tenant_generations t
        WHERE d.generation_id IS NULL AND t.tenant_id = d.tenant_id AND t.state = 'active';
      DELETE FROM ragmesh.documents WHERE generation_id IS NULL;
      DELETE FROM ragmesh.chunks WHERE generation_id IS NULL;
      DELETE FROM ragmesh.staged_parts;
      ALTER TABLE ragmesh.documents FORCE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.chunks FORCE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.staged_parts FORCE ROW LEVEL SECURITY;

      ALTER TABLE ragmesh.documents ALTER COLUMN generation_id SET NOT NULL,
        DROP CONSTRAINT documents_pkey, ADD PRIMARY KEY (tenant_id, generation_id, document_id);
      ALTER TABLE ragmesh.chunks ALTER COLUMN generation_id SET NOT NULL,
        DROP CONSTRAINT chunks_pkey, ADD PRIMARY KEY (tenant_id, generation_id, chunk_id);
      ALTER TABLE ragmesh.staged_parts ALTER COLUMN generation_id SET NOT NULL,
        DROP CONSTRAINT staged_parts_pkey, ADD PRIMARY KEY (tenant_id, generation_id, document_id, version, content_hash, part);
      DROP INDEX ragmesh.chunks_document_idx;
      CREATE INDEX chunks_document_idx ON ragmesh.chunks (tenant_id, generation_id, document_id);

      -- Vector indexes move from one per model to one per generation (dropped with it).
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT indexname FROM pg_indexes WHERE schemaname = 'ragmesh' AND indexname LIKE 'chunks_hnsw_%' LOOP
          EXECUTE format('DROP INDEX ragmesh.%I', r.indexname);
        END LOOP;
        FOR r IN SELECT generation_id, dims FROM ragmesh.generations LOOP
          EXECUTE format('CREATE INDEX chunks_hnsw_g%s ON ragmesh.chunks USING hnsw ((embedding::vector(%s)) vector_cosine_ops) WHERE generation_id = %s',
                         r.generation_id, r.dims, r.generation_id);
        END LOOP;
      END $$;
    `,
  },
  {
    version: 4,
    name: 'tenant limits and an append-only audit log',
    sql: `
      -- Per-tenant rate limits; a tenant without a row gets the gateway's defaults.
      CREATE TABLE ragmesh.tenant_limits (
        tenant_id             text        PRIMARY KEY,
        queries_per_minute    integer     NOT NULL CHECK (queries_per_minute > 0),
        documents_per_minute  integer     NOT NULL CHECK (documents_per_minute > 0),
        burst                 integer     CHECK (burst > 0),
        updated_at            timestamptz NOT NULL DEFAULT now()
      );

      -- Who changed what, when: keys, limits, policies. Rows are only ever added.
      CREATE TABLE ragmesh.audit_log (
        audit_id   bigserial   PRIMARY KEY,
        at         timestamptz NOT NULL DEFAULT now(),
        actor      text        NOT NULL,
        tenant_id  text,
        action     text        NOT NULL,
        details    jsonb       NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_log_tenant_idx ON ragmesh.audit_log (tenant_id, at);
      CREATE FUNCTION ragmesh.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ragmesh.audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ragmesh.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION ragmesh.audit_log_append_only();
    `,
  },
  {
    version: 5,
    name: 'API keys with ids, scopes, expiry and last use',
    sql: `
      -- Keys made before scopes existed keep what they could do: everything.
      ALTER TABLE ragmesh.api_keys
        ADD COLUMN key_id       text,
        ADD COLUMN scopes       text[] NOT NULL DEFAULT '{ingest,query,admin}',
        ADD COLUMN expires_at   timestamptz,
        ADD COLUMN last_used_at timestamptz;
      UPDATE ragmesh.api_keys SET key_id = 'key_' || substr(key_hash, 1, 16);
      ALTER TABLE ragmesh.api_keys
        ALTER COLUMN key_id SET NOT NULL,
        ALTER COLUMN scopes DROP DEFAULT,
        ADD CONSTRAINT api_keys_key_id_unique UNIQUE (key_id),
        ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) > 0 AND scopes <@ '{ingest,query,pii:read,admin}'::text[]);
      CREATE INDEX api_keys_tenant_idx ON ragmesh.api_keys (tenant_id);
    `,
  },
  {
    version: 6,
    name: 'least-privilege roles for the services',
    sql: `
      -- One role per service, each granted only what its code does. The roles are created by
      -- whoever provisions the database (deploy/local/postgres.sh: LOGIN roles; production: the
      -- DBA, or a migrating role with CREATEROLE, which this creates them with, without LOGIN).
      DO $$
      DECLARE r text;
      BEGIN
        FOREACH r IN ARRAY ARRAY['ragmesh_gateway', 'ragmesh_chunk_embed', 'ragmesh_indexer', 'ragmesh_retriever'] LOOP
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I NOLOGIN', r); END IF;
          EXECUTE format('GRANT USAGE ON SCHEMA ragmesh TO %I', r);
          EXECUTE format('GRANT SELECT ON ragmesh.schema_migrations, ragmesh.generations, ragmesh.tenant_generations TO %I', r);
        END LOOP;
      END $$;

      -- Query path: reads, never writes.
      GRANT SELECT ON ragmesh.documents, ragmesh.chunks, ragmesh.corpus_versions TO ragmesh_retriever;

      -- Gateway: resolves keys (and records their last use), reads limits, records document
      -- requests and reports their status, gives a new tenant its first generation.
      GRANT SELECT, UPDATE (last_used_at) ON ragmesh.api_keys TO ragmesh_gateway;
      GRANT SELECT ON ragmesh.tenant_limits TO ragmesh_gateway;
      GRANT SELECT, INSERT, UPDATE ON ragmesh.documents TO ragmesh_gateway;
      GRANT SELECT ON ragmesh.chunks TO ragmesh_gateway;

      -- chunk/embed: skips unchanged documents, records failures, joins building generations.
      GRANT SELECT, INSERT, UPDATE ON ragmesh.documents TO ragmesh_chunk_embed;
      GRANT SELECT ON ragmesh.chunks TO ragmesh_chunk_embed;

      -- Indexer: installs document versions and their chunks.
      GRANT SELECT, INSERT, UPDATE, DELETE ON ragmesh.documents, ragmesh.chunks, ragmesh.staged_parts, ragmesh.corpus_versions TO ragmesh_indexer;

      -- Every writer may create the deployment's default generation and a tenant's first one.
      GRANT INSERT ON ragmesh.generations TO ragmesh_gateway, ragmesh_chunk_embed, ragmesh_indexer;
      GRANT USAGE ON SEQUENCE ragmesh.generations_generation_id_seq TO ragmesh_gateway, ragmesh_chunk_embed, ragmesh_indexer;
      GRANT INSERT, UPDATE ON ragmesh.tenant_generations TO ragmesh_gateway, ragmesh_chunk_embed, ragmesh_indexer;

      -- What needs the tables' owner (an index, planner statistics), behind two narrow functions.
      CREATE FUNCTION ragmesh.create_vector_index(generation bigint, dims integer) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      BEGIN
        IF dims NOT BETWEEN 1 AND 16000 THEN RAISE EXCEPTION 'dims % not allowed', dims; END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON ragmesh.chunks USING hnsw ((embedding::public.vector(%s)) public.vector_cosine_ops) WHERE generation_id = %s',
                       'chunks_hnsw_g' || generation, dims, generation);
        UPDATE ragmesh.generations SET vector_indexed = true WHERE generation_id = generation;
      END $fn$;
      CREATE FUNCTION ragmesh.analyze_search_tables() RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      BEGIN
        ANALYZE ragmesh.chunks, ragmesh.documents;
      END $fn$;
      REVOKE ALL ON FUNCTION ragmesh.create_vector_index(bigint, integer), ragmesh.analyze_search_tables() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION ragmesh.create_vector_index(bigint, integer), ragmesh.analyze_search_tables() TO ragmesh_indexer;
    `,
  },
  {
    version: 7,
    name: 'tenant policies and the encrypted PII token map',
    sql: `
      -- Per-tenant data policies; a tenant without a row has redaction off.
      CREATE TABLE ragmesh.tenant_policies (
        tenant_id     text        PRIMARY KEY,
        pii_redaction boolean     NOT NULL DEFAULT false,
        -- Tenant-defined detectors: [{"name": "employee_id", "pattern": "EMP-\\d{6}"}]
        pii_patterns  jsonb       NOT NULL DEFAULT '[]',
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      -- token -> value, each value sealed with AES-256-GCM (PII_ENCRYPTION_KEY, the tenant and the
      -- token bound in). chunk/embed may only add rows; only the gateway (restoring for keys with
      -- pii:read) may read them; the retriever and the indexer have no access at all.
      CREATE TABLE ragmesh.pii_tokens (
        tenant_id  text        NOT NULL,
        token      text        NOT NULL,
        sealed     bytea       NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, token)
      );
      ALTER TABLE ragmesh.pii_tokens ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ragmesh.pii_tokens FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ragmesh.pii_tokens
        USING (tenant_id = current_setting('ragmesh.tenant_id', true))
        WITH CHECK (tenant_id = current_setting('ragmesh.tenant_id', true));

      GRANT SELECT ON ragmesh.tenant_policies TO ragmesh_gateway, ragmesh_chunk_embed;
      GRANT INSERT ON ragmesh.pii_tokens TO ragmesh_chunk_embed;
      GRANT SELECT ON ragmesh.pii_tokens TO ragmesh_gateway;
    `,
  },
  {
    version: 8,
    name: 'HNSW graph parameters (m, ef_construction) for the vector index builder',
    sql: `
      -- Same checks and grants as migration 6; m and ef_construction default to pgvector's own, so
      -- a builder of the previous release (two arguments) still gets what it got before.
      DROP FUNCTION ragmesh.create_vector_index(bigint, integer);
      CREATE FUNCTION ragmesh.create_vector_index(generation bigint, dims integer, m integer DEFAULT 16, ef_construction integer DEFAULT 64) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      BEGIN
        IF dims NOT BETWEEN 1 AND 16000 THEN RAISE EXCEPTION 'dims % not allowed', dims; END IF;
        IF m NOT BETWEEN 2 AND 100 THEN RAISE EXCEPTION 'm % not allowed (2-100)', m; END IF;
        IF ef_construction NOT BETWEEN 4 AND 1000 OR ef_construction < 2 * m THEN
          RAISE EXCEPTION 'ef_construction % not allowed (4-1000, at least twice m)', ef_construction;
        END IF;
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON ragmesh.chunks USING hnsw ((embedding::public.vector(%s)) public.vector_cosine_ops) WITH (m = %s, ef_construction = %s) WHERE generation_id = %s',
                       'chunks_hnsw_g' || generation, dims, m, ef_construction, generation);
        UPDATE ragmesh.generations SET vector_indexed = true WHERE generation_id = generation;
      END $fn$;
      REVOKE ALL ON FUNCTION ragmesh.create_vector_index(bigint, integer, integer, integer) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION ragmesh.create_vector_index(bigint, integer, integer, integer) TO ragmesh_indexer;
    `,
  },
];
