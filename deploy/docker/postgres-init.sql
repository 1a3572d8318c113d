-- Same database layout as deploy/local/postgres.sh: an application role that is not a superuser
-- and cannot bypass row-level security, owning database ragmesh; the extension is created here
-- because only a superuser may.
CREATE ROLE ragmesh LOGIN PASSWORD 'ragmesh' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
ALTER DATABASE ragmesh OWNER TO ragmesh;
\connect ragmesh
CREATE EXTENSION IF NOT EXISTS vector;
-- Lets Postgres use the full-text and jsonb indexes under row-level security (see deploy/local/postgres.sh).
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) LEAKPROOF;
