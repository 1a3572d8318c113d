// deploy/k8s: every overlay builds with kubectl's kustomize, and every object it renders validates
// against the Kubernetes schemas (kubernetes-models) or KEDA's (@kubernetes-models/keda). On top,
// what the product relies on: probes on /healthz and /readyz, a restrictive securityContext,
// requests and memory limits, secrets from Secret references, and no ScaledObject allowed more
// replicas than its topic has partitions.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { root } from './mesh-harness.js';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> };
type Container = {
  name: string; image: string;
  readinessProbe?: { httpGet?: { path: string } }; livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
};
type PodSpec = { securityContext?: { runAsNonRoot?: boolean }; automountServiceAccountToken?: boolean; containers: Container[] };

// Partitions per topic as `pnpm ragmesh topics ensure` creates them (TOPIC_PARTITIONS_* defaults).
const partitions: Record<string, number> = { 'documents.ingest': 6, 'vectors.upsert': 6, 'queries.request': 3 };
const secretVariables = ['DATABASE_URL', 'REDIS_URL', 'KAFKA_SASL_PASSWORD', 'EMBEDDINGS_API_KEY', 'PII_ENCRYPTION_KEY'];

function build(overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(root, 'deploy/k8s/overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject).filter(Boolean);
}

async function validate(object: K8sObject): Promise<void> {
  const { apiVersion, kind } = object;
  const module = apiVersion.startsWith('keda.sh/')
    ? ((await import('@kubernetes-models/keda/keda.sh/v1alpha1')) as Record<string, unknown>)
    : ((await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>);
  const Model = module[kind] as (new (data: unknown) => { validate: () => void }) | undefined;
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  // kustomize writes a long Secret value as base64 wrapped over lines, which the API server
  // accepts (Go's decoder skips newlines) and the schema's "byte" format does not.
  const data = (object as { data?: Record<string, string> }).data;
  const unwrapped = kind === 'Secret' && data ? { ...object, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) } : object;
  new Model(unwrapped).validate();
}

const podSpecOf = (o: K8sObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;

describe.each(['local', 'production'])('deploy/k8s overlay %s', (overlay) => {
  const objects = build(overlay);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

  it('renders the whole deployment, in one namespace', () => {
    const names = (kind: string) => byKind(kind).map((o) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual(['chunk-embed', 'gateway', 'indexer', 'retriever']);
    expect(names('Job')).toEqual(['ragmesh-kafka-acls', 'ragmesh-migrate', 'ragmesh-schemas', 'ragmesh-topics']);
    expect(names('ScaledObject')).toEqual(['chunk-embed', 'indexer', 'retriever']);
    expect(names('HorizontalPodAutoscaler')).toEqual(['gateway']);
    expect(names('PodDisruptionBudget')).toEqual(['chunk-embed', 'gateway', 'indexer', 'retriever']);
    expect(byKind('NetworkPolicy').length).toBeGreaterThanOrEqual(2);
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set([overlay === 'local' ? 'ragmesh-local' : 'ragmesh']));
  });

  it('validates every object against the Kubernetes and KEDA schemas', async () => {
    for (const object of objects) await expect(validate(object), `${object.kind} ${object.metadata.name}`).resolves.toBeUndefined();
    // The validators do reject what is wrong: a misspelt field type in each kind of schema.
    const deployment = structuredClone(byKind('Deployment')[0]!);
    (deployment.spec as { replicas: unknown }).replicas = 'two';
    await expect(validate(deployment)).rejects.toThrow();
    const scaled = structuredClone(byKind('ScaledObject')[0]!);
    (scaled.spec as { maxReplicaCount: unknown }).maxReplicaCount = 'six';
    await expect(validate(scaled)).rejects.toThrow();
  });

  it('gives every pod probes, resources, a restrictive securityContext and secrets from Secret references', () => {
    for (const o of [...byKind('Deployment'), ...byKind('Job')]) {
      const pod = podSpecOf(o);
      expect(pod.securityContext?.runAsNonRoot, o.metadata.name).toBe(true);
      expect(pod.automountServiceAccountToken, o.metadata.name).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext, c.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources?.requests?.memory, c.name).toBeDefined();
        expect(c.resources?.limits?.memory, c.name).toBeDefined();
        // Kafka: each service as its own principal, the setup Jobs as admin; the password under a key named after it.
        const kafkaUser = c.env?.find((v) => v.name === 'KAFKA_SASL_USERNAME')?.value;
        if (c.env?.some((v) => v.name === 'KAFKA_SASL_PASSWORD')) expect(kafkaUser, o.metadata.name).toBe(o.kind === 'Job' ? 'admin' : o.metadata.name);
        for (const variable of c.env ?? []) {
          // Postgres: each service as its own least-privilege role; the migrate Job as the schema owner.
          const key =
            variable.name === 'KAFKA_SASL_PASSWORD' ? `KAFKA_SASL_PASSWORD_${kafkaUser!.toUpperCase().replace('-', '_')}`
            : variable.name === 'DATABASE_URL' && o.kind === 'Deployment' ? `DATABASE_URL_${o.metadata.name.toUpperCase().replace('-', '_')}`
            : variable.name;
          if (secretVariables.includes(variable.name)) expect(variable.valueFrom?.secretKeyRef, `${c.name} ${variable.name}`).toMatchObject({ name: expect.stringMatching(/^ragmesh-secrets(-[a-z0-9]+)?$/), key });
        }
        if (o.kind === 'Deployment') {
          expect(c.readinessProbe?.httpGet?.path, c.name).toBe('/readyz');
          expect(c.livenessProbe?.httpGet?.path, c.name).toBe('/healthz');
        }
      }
    }
  });

  it('scales each worker on its own group and topic, never past the topic partitions', () => {
    const deployments = new Set(byKind('Deployment').map((o) => o.metadata.name));
    const expected: Record<string, [string, string]> = {
      'chunk-embed': ['ragmesh-chunk-embed', 'documents.ingest'], indexer: ['ragmesh-indexer', 'vectors.upsert'], retriever: ['ragmesh-retriever', 'queries.request'],
    };
    for (const o of byKind('ScaledObject')) {
      const spec = o.spec as { scaleTargetRef: { name: string }; maxReplicaCount: number; triggers: { type: string; metadata: { consumerGroup: string; topic: string } }[] };
      expect(deployments.has(spec.scaleTargetRef.name)).toBe(true);
      const [group, topic] = expected[spec.scaleTargetRef.name]!;
      expect(spec.triggers).toEqual([expect.objectContaining({ type: 'kafka', metadata: expect.objectContaining({ consumerGroup: group, topic }) })]);
      expect(spec.maxReplicaCount).toBeLessThanOrEqual(partitions[topic]!);
    }
  });

  it('keeps the Secret out of production and generates it only for the local cluster', () => {
    const secrets = byKind('Secret').map((o) => o.metadata.name);
    if (overlay === 'production') expect(secrets).toEqual([]);
    else expect(secrets).toHaveLength(1);
  });
});
