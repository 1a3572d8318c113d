import { testKafka, uniqueName } from '@ragmesh/testkit';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactedLogConfigs, ensureTopics, meshTopics, reconcileTopicConfigs } from '../../src/index.js';

const kafka = testKafka();
const admin = kafka.admin();

async function configsOf(topic: string) {
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }] });
  return Object.fromEntries((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
}

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

describe('topic configs', () => {
  it('keeps documents.ingest compacted and the other topics on time retention', () => {
    const specs = meshTopics();
    expect(specs.find((s) => s.topic === 'documents.ingest')?.configs).toEqual(compactedLogConfigs);
    expect(specs.filter((s) => s.configs).map((s) => s.topic)).toEqual(['documents.ingest']);
  });

  it('creates a topic compacted, converts one created with time retention, and is idempotent', async () => {
    const created = uniqueName('compacted');
    const converted = uniqueName('converted');
    expect(await ensureTopics(admin, [{ topic: created, numPartitions: 1, configs: compactedLogConfigs }])).toEqual([created]);
    expect(await configsOf(created)).toMatchObject({ 'cleanup.policy': 'compact', 'max.compaction.lag.ms': '604800000' });

    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: converted, numPartitions: 1, configEntries: [{ name: 'retention.bytes', value: '1000000' }] }] });
    const changes = await reconcileTopicConfigs(admin, [{ topic: converted, numPartitions: 1, configs: compactedLogConfigs }]);
    expect(changes.map((c) => [c.config, c.from, c.to])).toContainEqual(['cleanup.policy', 'delete', 'compact']);
    expect(await configsOf(converted)).toMatchObject({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '3600000', 'retention.bytes': '1000000' });
    expect(await reconcileTopicConfigs(admin, [{ topic: converted, numPartitions: 1, configs: compactedLogConfigs }])).toEqual([]);
    await admin.deleteTopics({ topics: [created, converted] });
  });
});
