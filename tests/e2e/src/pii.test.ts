// PII redaction through the real mesh on a corpus with planted values of every kind: none of them
// reaches vectors.upsert, the query topics, Postgres (outside the sealed map), Redis or the
// services' logs; a question naming a value finds its document; a pii:read key gets the original
// text back; turning redaction on for a tenant with documents re-indexes them, and after the
// cutover and retirement no raw copy is left.
import { topics } from '@ragmesh/contracts';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { stackEnv, testKafka, uniqueName, waitFor } from '@ragmesh/testkit';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool, expectedChunks } from './corpus.js';
import { killAll, meshEnv, runCli, startGroupsAtEnd, startService, stopService, type RunningService, type ServiceName } from './mesh-harness.js';

const planted = {
  email: 'ada.lovelace@analytical-engine.example',
  phone: '+1 415-555-0132',
  card: '4111 1111 1111 1111',
  iban: 'DE89 3704 0044 0532 0130 00',
  ipv4: '192.168.10.24',
  ipv6: '2001:db8::8a2e:370:7334',
  ssn: '219-09-9999',
  employee: 'EMP-004211',
};
const values = Object.values(planted);

const documents = [
  {
    id: 'crm-1', title: `Contact ${planted.email}`, uri: `mailto:${planted.email}`, metadata: { owner: planted.email },
    content: `Customer record. Reach Ada Lovelace at ${planted.email} or ${planted.phone} about the analytical engine invoice.`,
  },
  { id: 'billing-2', title: 'Telescope refund', uri: null, metadata: {}, content: `Refund the card ${planted.card} and wire the rest to IBAN ${planted.iban} for the telescope order.` },
  { id: 'ops-3', title: 'Lighthouse logins', uri: null, metadata: {}, content: `The login came from ${planted.ipv4} and later from ${planted.ipv6} during the lighthouse maintenance.` },
  { id: 'hr-4', title: 'Harbor leave', uri: null, metadata: {}, content: `Employee ${planted.employee} with SSN ${planted.ssn} requested parental leave for the harbor project.` },
].map(({ uri, ...d }) => ({ ...d, ...(uri ? { uri } : {}), contentType: 'text/plain' as const, metadata: d.metadata as Record<string, string> }));

const pool = appPool();
const superuser = new pg.Pool({ connectionString: stackEnv().superuserDatabaseUrl, max: 2 });
const tenant = uniqueName('pii');
const late = uniqueName('pii-late');
// Every log line the services write, at debug level, is searched for planted values.
const env = meshEnv('pii', { LOG_LEVEL: 'debug', RESULT_CACHE_TTL_SECONDS: '300' });
const services: Partial<Record<ServiceName, RunningService>> = {};
const keys: Record<string, string> = {};
let startOffsets: Record<string, { partition: number; high: string }[]> = {};
const downstream = [topics.vectorsUpsert, topics.queriesRequest, topics.queriesResponse];
const watched = [...downstream, topics.documentsIngest];

function cli(args: string[]) {
  return runCli(args, { ...process.env, ...env, LOG_LEVEL: 'warn' });
}

interface Hit { documentId: string; text: string; title: string | null; uri: string | null; metadata: Record<string, string> }
interface Answer { status?: string; hits: Hit[]; error: { code: string; details: Record<string, unknown> } }

async function call(path: string, key: string, body?: unknown) {
  const response = await fetch(`${services.gateway!.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

async function ingest(forTenant: string) {
  const accepted = await call('/v1/documents', keys[forTenant]!, { documents });
  expect([accepted.status, accepted.body.error]).toEqual([202, undefined]);
  await waitFor(async () => {
    for (const d of documents) if ((await call(`/v1/documents/${d.id}`, keys[forTenant]!)).body.status !== 'indexed') return false;
    return true;
  }, { timeoutMs: 60_000, what: `${forTenant}'s documents indexed` });
}

/** Every record of `topic` written since the test began, raw. */
async function recordsSince(topic: string): Promise<{ key: Buffer | null; value: Buffer | null }[]> {
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  const groupId = uniqueName('pii-reader');
  await admin.setOffsets({ groupId, topic, partitions: startOffsets[topic]!.map((p) => ({ partition: p.partition, offset: p.high })) });
  await admin.disconnect();
  const wanted = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const from = new Map(startOffsets[topic]!.map((p) => [p.partition, Number(p.high)]));
  const total = [...wanted].reduce((n, [p, high]) => n + high - from.get(p)!, 0);
  const records: { key: Buffer | null; value: Buffer | null }[] = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic });
  await consumer.run({ eachMessage: async ({ message }) => void records.push({ key: message.key, value: message.value }) });
  try {
    await waitFor(() => records.length >= total, { timeoutMs: 30_000, what: `${total} records of ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Every row of the tenant in every ragmesh table, as text (as superuser, past row-level security). */
async function rowsOf(forTenant: string): Promise<Record<string, string[]>> {
  const { rows: tables } = await superuser.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = 'ragmesh' AND column_name = 'tenant_id' ORDER BY table_name",
  );
  const out: Record<string, string[]> = {};
  for (const { table_name } of tables) {
    const { rows } = await superuser.query<{ row: string }>(`SELECT t::text AS row FROM ragmesh.${table_name} t WHERE tenant_id = $1`, [forTenant]);
    out[table_name] = rows.map((r) => r.row);
  }
  return out;
}

/** `table: value in row` for every planted value in the tenant's rows. */
const rowLeaks = (rows: Record<string, string[]>) => Object.entries(rows).flatMap(([table, texts]) => leaks(texts).map((l) => `${table}: ${l}`));
const leaks = (texts: Iterable<string>) => [...texts].flatMap((t) => values.filter((v) => t.includes(v)).map((v) => `${v} in ${t.slice(0, 120)}`));

beforeAll(async () => {
  await migrate(pool);
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  startOffsets = Object.fromEntries(await Promise.all(watched.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)));
  await admin.disconnect();
  for (const t of [tenant, late]) keys[t] = (await createApiKeyStore(pool).create({ tenant: t, scopes: ['ingest', 'query'] })).key;
  keys.reader = (await createApiKeyStore(pool).create({ tenant, scopes: ['query', 'pii:read'] })).key;
  const policy = await cli(['tenants', 'set-policy', tenant, '--pii-redaction', 'on', '--pii-pattern', 'employee_id=EMP-\\d{6}']);
  expect(policy.stdout).toContain(`${tenant} PII redaction on, patterns employee_id`);
  await startGroupsAtEnd(env);
  for (const name of ['indexer', 'chunk-embed', 'retriever', 'gateway'] as ServiceName[]) services[name] = await startService(name, env);
}, 180_000);

afterAll(async () => {
  for (const service of Object.values(services)) if (service) await stopService(service);
  killAll();
  await pool.end();
  await superuser.end();
});

describe('PII redaction before embedding', () => {
  it('finds a document by the value a question names, and answers with tokens', async () => {
    await ingest(tenant);
    for (const [question, id] of [[`who is ${planted.email}?`, 'crm-1'], [`SSN ${planted.ssn}`, 'hr-4'], [`logins from ${planted.ipv6}`, 'ops-3'], [`card ${planted.card}`, 'billing-2']] as const) {
      const answer = await call('/v1/query', keys[tenant]!, { query: question, topK: 2 });
      expect([question, answer.status, answer.body.hits[0]?.documentId]).toEqual([question, 200, id]);
      expect(leaks(answer.body.hits.map((h) => JSON.stringify(h)))).toEqual([]);
    }
    const crm = (await call('/v1/query', keys[tenant]!, { query: `who is ${planted.email}?`, topK: 1 })).body.hits[0]!;
    expect(crm.text).toMatch(/\[EMAIL:[0-9a-f]{20}\].*\[PHONE:[0-9a-f]{20}\]/);
    expect(crm.metadata.owner).toMatch(/^\[EMAIL:[0-9a-f]{20}\]$/);
  });

  it('restores the original text for a pii:read key only', async () => {
    for (const doc of documents) {
      const restored = await call('/v1/query', keys.reader!, { query: doc.title, topK: 1, restorePii: true, filter: { eq: { field: 'documentId', value: doc.id } } });
      expect(restored.status).toBe(200);
      const hit = restored.body.hits[0]!;
      expect(hit.documentId).toBe(doc.id);
      expect(hit.text).toBe(expectedChunks(doc)[0]);
      expect([hit.title, hit.uri, hit.metadata]).toEqual([doc.title, 'uri' in doc ? doc.uri : null, doc.metadata]);
    }
    const refused = await call('/v1/query', keys[tenant]!, { query: 'telescope', restorePii: true });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.scope).toBe('pii:read');
  });

  it('leaves no raw value in the downstream topics, Postgres, Redis or the logs', async () => {
    for (const topic of downstream) {
      const records = await recordsSince(topic);
      if (topic === topics.vectorsUpsert) expect(records.length).toBeGreaterThanOrEqual(documents.length);
      expect([topic, leaks(records.map((r) => `${r.key?.toString('latin1')} ${r.value?.toString('latin1')}`))]).toEqual([topic, []]);
    }
    const rows = await rowsOf(tenant);
    expect(rows.chunks).toHaveLength(documents.length);
    expect(rows.pii_tokens!.length).toBe(values.length);
    expect(rowLeaks(rows)).toEqual([]);

    const redis = new Redis(stackEnv().redisUrl);
    try {
      const texts: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) {
          const type = await redis.type(key);
          if (type === 'string') texts.push(`${key} ${(await redis.getBuffer(key))?.toString('latin1')}`);
          else if (type === 'hash') texts.push(`${key} ${JSON.stringify(await redis.hgetall(key))}`);
          else texts.push(key);
        }
      } while (cursor !== '0');
      expect(texts.length).toBeGreaterThan(0);
      expect(leaks(texts)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    const logs = Object.values(services).flatMap((s) => s!.logs);
    expect(logs.join('').length).toBeGreaterThan(0);
    expect(leaks(logs)).toEqual([]);
  });

  it('re-indexes a tenant that turns redaction on, leaving no raw copy after cutover and retirement', async () => {
    await ingest(late);
    expect(rowLeaks(await rowsOf(late)).length).toBeGreaterThan(0); // indexed as sent
    const policy = await cli(['tenants', 'set-policy', late, '--pii-redaction', 'on', '--pii-pattern', 'employee_id=EMP-\\d{6}']);
    const generation = Number(/re-index generation (\d+)/.exec(policy.stdout)?.[1]);
    expect(generation).toBeGreaterThan(0);
    const { rows } = await pool.query<{ generation_id: string }>("SELECT generation_id FROM ragmesh.tenant_generations WHERE tenant_id = $1 AND state = 'active'", [late]);
    const old = Number(rows[0]!.generation_id);
    await waitFor(async () => {
      const status = JSON.parse((await cli(['reindex', 'status', '--tenant', late, '--json'])).stdout) as { generations: { id: number; caughtUp: boolean }[] };
      return status.generations.find((g) => g.id === generation)?.caughtUp === true;
    }, { timeoutMs: 300_000, intervalMs: 2_000, what: 'the redacting generation caught up' });
    expect((await cli(['reindex', 'cutover', '--tenant', late])).code).toBe(0);
    const retire = await cli(['reindex', 'retire', String(old), '--tenant', late]);
    expect(`${retire.stdout}${retire.stderr}`).toContain(`${late} retired`);
    const after = await rowsOf(late);
    expect(after.chunks).toHaveLength(documents.length);
    expect(rowLeaks(after)).toEqual([]);
    const found = await call('/v1/query', keys[late]!, { query: `SSN ${planted.ssn}`, topK: 1 });
    expect(found.body.hits[0]?.documentId).toBe('hr-4');
    // The audit log names both policy changes.
    const audit = JSON.parse((await cli(['audit', 'list', '--tenant', late, '--json'])).stdout) as { action: string; details: { piiRedaction?: boolean } }[];
    expect(audit.filter((e) => e.action === 'policy.set').map((e) => e.details.piiRedaction)).toEqual([true]);
  }, 400_000);

  it('purges a tenant everywhere: rows, the PII map, keys, caches, and its ingest records through tombstones', async () => {
    const purged = await cli(['tenants', 'purge', tenant, '--yes']);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain(`purged ${tenant}: ${documents.length} documents.ingest tombstones`);
    const left = await rowsOf(tenant);
    expect(Object.entries(left).filter(([, rows]) => rows.length > 0).map(([table]) => table)).toEqual(['audit_log']);
    expect(left.audit_log!.filter((row) => row.includes('tenant.purge'))).toHaveLength(1);
    expect((await call('/v1/documents/crm-1', keys.reader!)).status).toBe(401);
    const tombstones = (await recordsSince(topics.documentsIngest)).filter((r) => r.key?.toString().startsWith(`${tenant}:`) && r.value === null);
    expect(tombstones.map((r) => r.key!.toString()).sort()).toEqual(documents.map((d) => `${tenant}:${d.id}`).sort());
    const redis = new Redis(stackEnv().redisUrl);
    try {
      expect((await redis.keys(`*${tenant}*`)).join(' ')).toBe('');
    } finally {
      redis.disconnect();
    }
    // The workers skipped the tombstones: nothing was dead-lettered for them.
    for (const s of Object.values(services)) expect(s!.child.exitCode).toBeNull();
  }, 120_000);
});