import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kafkaEnv, port, registryEnv, checkSasl, checkVectorIndex, kafkaClientOptions, vectorIndexEnv } from './env-schemas.js';
import { ConfigError, parseEnv } from './parse-env.js';

const schema = z.object({ ...kafkaEnv, ...registryEnv, METRICS_PORT: port(9101) }).superRefine(checkSasl);

describe('parseEnv', () => {
  it('applies defaults', () => {
    const config = parseEnv(schema, {});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.SCHEMA_REGISTRY_URL).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
    expect(config.METRICS_PORT).toBe(9101);
    expect(config.KAFKA_SSL).toBe(false);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      parseEnv(schema, { KAFKA_BROKERS: 'nohostport', SCHEMA_REGISTRY_URL: 'ftp://x', METRICS_PORT: 'abc', KAFKA_SSL: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).issues.map((i) => i.variable).sort();
    expect(variables).toEqual(['KAFKA_BROKERS', 'KAFKA_SSL', 'METRICS_PORT', 'SCHEMA_REGISTRY_URL']);
    expect((error as ConfigError).message).toContain('KAFKA_BROKERS');
  });

  it('requires SASL credentials with a mechanism', () => {
    expect(() => parseEnv(schema, { KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME[\s\S]*KAFKA_SASL_PASSWORD/);
    const config = parseEnv(schema, { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL: 'true' });
    expect(kafkaClientOptions(config, 'svc')).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'svc',
      ssl: true,
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
  });

  it('takes the HNSW graph with pgvector defaults and refuses an ef_construction below twice m, naming it', () => {
    const graph = z.object(vectorIndexEnv).superRefine(checkVectorIndex);
    expect(parseEnv(graph, {})).toEqual({ VECTOR_INDEX_M: 16, VECTOR_INDEX_EF_CONSTRUCTION: 64 });
    expect(parseEnv(graph, { VECTOR_INDEX_M: '32', VECTOR_INDEX_EF_CONSTRUCTION: '200' })).toEqual({ VECTOR_INDEX_M: 32, VECTOR_INDEX_EF_CONSTRUCTION: 200 });
    expect(() => parseEnv(graph, { VECTOR_INDEX_M: '40' })).toThrow(/VECTOR_INDEX_EF_CONSTRUCTION[\s\S]*at least twice VECTOR_INDEX_M \(80\)/);
    expect(() => parseEnv(graph, { VECTOR_INDEX_M: '1' })).toThrow(/VECTOR_INDEX_M/);
  });
});
