// The mesh through the broker's SASL_SSL listener: TLS with the local CA and one SCRAM user per
// service, each granted only its topics and groups by `pnpm ragmesh kafka-acls apply`. A document
// goes in and a query comes back end to end; the gateway's principal is refused on vectors.upsert;
// wrong credentials and a principal without the grants stop a service at start, naming Kafka.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKeyStore, migrate } from '@ragmesh/store';
import { uniqueName, waitFor } from '@ragmesh/testkit';
import { configurationProblem } from '@ragmesh/worker-runtime';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPool } from './corpus.js';
import { killAll, meshEnv, root, runCli, startGroupsAtEnd, startService, stopService, type RunningService, type ServiceName } from './mesh-harness.js';

interface SecureListener { brokers: string[]; caFile: string; mechanism: 'scram-sha-512'; users: Record<string, string> }

const secure = JSON.parse(readFileSync(join(process.env.RAGMESH_STATE_DIR ?? join(root, '.state'), 'kafka/secure-listener.json'), 'utf8')) as SecureListener;
const pool = appPool();
const tenant = uniqueName('secure');
const env = meshEnv('secure');
const services: RunningService[] = [];
let gateway: RunningService;
let apiKey: string;

/** The environment of a client connecting as `user` through the SASL_SSL listener. */
function asUser(user: string, password = secure.users[user]!): Record<string, string> {
  return {
    ...env, KAFKA_BROKERS: secure.brokers.join(','), KAFKA_SSL_CA_FILE: secure.caFile,
    KAFKA_SASL_MECHANISM: secure.mechanism, KAFKA_SASL_USERNAME: user, KAFKA_SASL_PASSWORD: password,
  };
}

function kafkaAs(user: string): Kafka {
  return new Kafka({
    clientId: `secure-test-${user}`, brokers: secure.brokers, logLevel: logLevel.NOTHING,
    ssl: { ca: [readFileSync(secure.caFile, 'utf8')] }, sasl: { mechanism: secure.mechanism, username: user, password: secure.users[user]! },
    retry: { retries: 0 },
  });
}

async function post(path: string, body: unknown) {
  const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  await migrate(pool);
  apiKey = (await createApiKeyStore(pool).create({ tenant })).key;
  // The ACLs for this run's groups, applied by the admin user through the secure listener.
  const acls = await runCli(['kafka-acls', 'apply'], { ...process.env, ...asUser('admin') });
  expect(acls.stderr).toBe('');
  expect(acls.stdout).toContain(`User:gateway (gateway): read queries.response; write documents.ingest, queries.request; groups ${env.GATEWAY_REPLY_GROUP_ID}*`);
  await startGroupsAtEnd(env);
  for (const name of ['chunk-embed', 'indexer', 'retriever'] as ServiceName[]) services.push(await startService(name, asUser(name)));
  gateway = await startService('gateway', asUser('gateway'));
  services.push(gateway);
}, 180_000);

afterAll(async () => {
  for (const service of services) await stopService(service);
  killAll();
  await pool.end();
});

describe('Kafka over TLS and SASL/SCRAM with per-service ACLs', () => {
  it('indexes a document and answers a query end to end through the secure listener', async () => {
    const accepted = await post('/v1/documents', { id: 'tls-doc', title: 'Encrypted transport', content: 'Every hop of this document travelled over TLS with a SCRAM login.', contentType: 'text/plain' });
    expect(accepted.status).toBe(202);
    await waitFor(async () => {
      const response = await fetch(`${gateway.url}/v1/documents/tls-doc`, { headers: { authorization: `Bearer ${apiKey}` } });
      return response.ok && ((await response.json()) as { status: string }).status === 'indexed';
    }, { timeoutMs: 60_000, what: 'the document indexed' });
    const answer = await post('/v1/query', { query: 'SCRAM login over TLS', topK: 3 });
    expect(answer.status).toBe(200);
    expect((answer.body.hits as { documentId: string }[]).map((h) => h.documentId)).toEqual(['tls-doc']);
  });

  it('refuses the gateway\'s principal on vectors.upsert', async () => {
    const producer = kafkaAs('gateway').producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const refusal = await producer.send({ topic: 'vectors.upsert', messages: [{ key: 'forged', value: 'not from chunk-embed' }] }).then(() => null, (error: unknown) => error);
      expect(configurationProblem(refusal)).toBe('kafka refused this principal (TOPIC_AUTHORIZATION_FAILED): Not authorized to access topics: [Topic authorization failed]');
      // Its own topic is fine.
      await expect(producer.send({ topic: 'queries.request', messages: [] })).resolves.toBeDefined();
    } finally {
      await producer.disconnect();
    }
  });

  it('a wrong password or a principal without the grants stops a service at start, naming Kafka and what to check', async () => {
    await expect(startService('indexer', asUser('indexer', 'wrong-password'))).rejects.toThrow(/indexer exited with 1[^]*kafka refuses this service \(check KAFKA_SASL_USERNAME[^)]*\): kafka refused the credentials/);
    await expect(startService('indexer', asUser('gateway'))).rejects.toThrow(/indexer exited with 1[^]*kafka refused this principal \(TOPIC_AUTHORIZATION_FAILED\)/);
  });
});
