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
];
