// Starts real service processes (built dist/main.js) against the local stack for whole-mesh
// tests, each on free ports, and stops them by pid.
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@ragmesh/store';
import { stackEnv, uniqueName, waitFor } from '@ragmesh/testkit';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** One PII key per test process (each test file has tenants of its own). */
export const testPiiKey = randomBytes(32).toString('base64');
export type ServiceName = 'gateway' | 'chunk-embed' | 'indexer' | 'retriever';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

const children = new Set<ChildProcess>();

/** Kills every service process this test file started, including one still starting. */
export function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface RunningService {
  name: ServiceName;
  url: string;
  child: ChildProcess;
  logs: string[];
}

/**
 * Environment shared by the services of one test run, with fresh consumer groups. Call
 * `startGroupsAtEnd` before starting the workers, so a run never waits on what earlier runs (or
 * other users of the stack) left in the topics.
 */
export function meshEnv(suite: string, extra: Record<string, string> = {}): Record<string, string> {
  const env = stackEnv();
  const run = uniqueName(suite);
  return {
    KAFKA_BROKERS: env.brokers.join(','),
    SCHEMA_REGISTRY_URL: env.registryUrl,
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    EMBEDDINGS_PROVIDER: 'hash',
    EMBEDDINGS_DIMS: '384',
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    CHUNK_EMBED_GROUP_ID: `e2e-${run}-chunk-embed`,
    INDEXER_GROUP_ID: `e2e-${run}-indexer`,
    RETRIEVER_GROUP_ID: `e2e-${run}-retriever`,
    GATEWAY_REPLY_GROUP_ID: `e2e-${run}-gateway-replies`,
    // Tests that are not about rate limits send more than a tenant's default budget (the
    // rate-limit test sets its own).
    // PII redaction works for any tenant whose policy turns it on.
    PII_ENCRYPTION_KEY: testPiiKey,
    GATEWAY_QUERIES_PER_MINUTE: '1000000',
    GATEWAY_DOCUMENTS_PER_MINUTE: '10000000',
    ...extra,
  };
}

const migrated = new Map<string, Promise<unknown>>();

/**
 * Services run as their own least-privilege database roles (ragmesh_<service>), as a deployment
 * runs them, so every e2e test also proves the grants of migration 6 suffice. The schema is
 * migrated once per database as the owner first: a service's role cannot migrate.
 */
async function asServiceRole(name: ServiceName, databaseUrl: string): Promise<string> {
  const url = new URL(databaseUrl);
  if (url.username !== 'ragmesh') return databaseUrl;
  if (!migrated.has(databaseUrl)) {
    const owner = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    migrated.set(databaseUrl, migrate(owner).finally(() => owner.end()));
  }
  await migrated.get(databaseUrl);
  url.username = `ragmesh_${name.replace('-', '_')}`;
  return url.toString();
}

/** Starts one service and waits for its /readyz. */
export async function startService(name: ServiceName, env: Record<string, string>): Promise<RunningService> {
  env = { ...env, DATABASE_URL: await asServiceRole(name, env.DATABASE_URL ?? stackEnv().databaseUrl) };
  const port = await freePort();
  const portVariable = name === 'gateway' ? 'GATEWAY_PORT' : 'METRICS_PORT';
  const child = fork(join(root, `services/${name}/dist/main.js`), [], {
    env: { ...process.env, ...env, [portVariable]: String(port), GATEWAY_HOST: '127.0.0.1', METRICS_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const logs: string[] = [];
  const keep = (chunk: Buffer) => {
    logs.push(chunk.toString());
    if (logs.length > 200) logs.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  // A service that exits while starting (a refused configuration) fails the start at once.
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`))));
  exited.catch(() => undefined);
  try {
    await Promise.race([
      exited,
      waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.ok, { timeoutMs: 60_000, intervalMs: 200, what: `${name} ready` }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}\n${logs.join('').slice(-4000)}`);
  }
  return { name, url, child, logs };
}

/** SIGTERM (or `signal`) and wait for the exit code. */
export async function stopService(service: RunningService, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return service.child.exitCode;
  const exited = new Promise<number | null>((resolve) => service.child.once('exit', (code) => resolve(code)));
  service.child.kill(signal);
  return exited;
}

/** Stops (SIGTERM) every service of a test file, then SIGKILLs whatever is still starting. */
export async function stopServices(services: Partial<Record<ServiceName, RunningService>>): Promise<void> {
  for (const service of Object.values(services)) if (service) await stopService(service);
  killAll();
}

/** Reads one sample from a Prometheus text page: the sum over series matching `labels`. */
export async function metricValue(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * Commits the current end of each topic for the run's worker groups. Committed offsets (rather
 * than "start at latest") matter: a worker killed before its first commit must resume where the
 * run began, not skip to whatever is latest when it restarts. A chunk/embed worker also consumes
 * for every generation some tenant of an earlier test file still follows (each under
 * `<group>-g<id>`): those start at the end too, or each would replay the whole shared log.
 */
export async function startGroupsAtEnd(env: Record<string, string>): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-harness', brokers: stackEnv().brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const db = new pg.Client({ connectionString: stackEnv().databaseUrl });
  await db.connect();
  const { rows } = await db
    .query<{ generation_id: string }>("SELECT DISTINCT generation_id FROM ragmesh.tenant_generations WHERE state IN ('building', 'active', 'standby')")
    .catch(() => ({ rows: [] as { generation_id: string }[] })); // before the first migration
  await db.end();
  await admin.connect();
  try {
    const generationGroups = env.CHUNK_EMBED_GROUP_ID ? rows.map((r) => [`${env.CHUNK_EMBED_GROUP_ID}-g${r.generation_id}`, 'documents.ingest'] as const) : [];
    for (const [groupId, topic] of [
      [env.CHUNK_EMBED_GROUP_ID, 'documents.ingest'],
      [env.INDEXER_GROUP_ID, 'vectors.upsert'],
      ...generationGroups,
    ] as const) {
      if (!groupId) continue;
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Runs the built CLI (`pnpm ragmesh ...`) with `env`; resolves with its exit code and output, never rejects. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('node', [join(root, 'services/cli/dist/main.js'), ...args], { env }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** Runs `deploy/local/<script>.sh <verb>` with `env`; rejects with the script's output when it fails. */
export function localScript(script: string, verb: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(join(root, `deploy/local/${script}.sh`), [verb], { env }, (error, stdout, stderr) => (error ? reject(new Error(`${script}.sh ${verb}: ${stderr || stdout}`)) : resolve())),
  );
}

/**
 * A Prometheus of the test's own (deploy/local/prometheus.sh on a free port, 1 s scrapes and rule
 * evaluations, state in a temporary directory) scraping `targets`; `stop` removes it all.
 */
export async function startPrometheus(targets: { job: string; url: string }[]) {
  const stateDir = mkdtempSync(join(tmpdir(), 'ragmesh-prometheus-'));
  const port = await freePort();
  const env = { ...process.env, RAGMESH_STATE_DIR: stateDir, PROMETHEUS_PORT: String(port), PROMETHEUS_INTERVAL: '1s' };
  const script = (verb: 'up' | 'down') => localScript('prometheus', verb, env);
  mkdirSync(join(stateDir, 'prometheus'), { recursive: true });
  writeFileSync(join(stateDir, 'prometheus/targets.json'), JSON.stringify(targets.map((t) => ({ targets: [new URL(t.url).host], labels: { job: t.job } }))));
  await script('up');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    /** GET an API path (e.g. /api/v1/query?query=...) and return its `data`. */
    async api<T>(path: string): Promise<T> {
      const body = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
      return body.data;
    },
    async stop(): Promise<void> {
      await script('down').catch(() => undefined);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
