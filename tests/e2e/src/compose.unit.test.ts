import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { ports?: string[]; build?: { args?: { SERVICE?: string } } }>;
};

// Addresses from DESIGN.md's "Default addresses".
const expected: Record<string, string> = {
  gateway: '8080',
  'chunk-embed': '9101',
  indexer: '9102',
  retriever: '9103',
  kafka: '9092',
  registry: '8081',
  postgres: '5432',
  redis: '6379',
};

describe('docker-compose.yml', () => {
  it.each(Object.entries(expected))('publishes %s on host port %s', (service, port) => {
    const ports = compose.services[service]?.ports ?? [];
    expect(ports.map((p) => p.split(':')[0])).toContain(port);
  });

  it('runs the collector and Jaeger for traces', () => {
    expect(compose.services).toHaveProperty('otel-collector');
    expect(compose.services).toHaveProperty('jaeger');
  });

  it('builds every service from the one Dockerfile with its folder name', () => {
    for (const service of ['gateway', 'chunk-embed', 'indexer', 'retriever']) {
      expect(compose.services[service]?.build?.args?.SERVICE).toBe(service);
    }
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/FROM node:20[^\n]* AS build/);
  });
});
