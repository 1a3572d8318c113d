import { existsSync, readFileSync } from 'node:fs';
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

  it('runs Prometheus with the rules and Grafana with the dashboard, from files in the repository', () => {
    const volumes = (name: string) => ((compose.services[name] as { volumes?: string[] } | undefined)?.volumes ?? []).map((v) => v.split(':')[0]!);
    expect(volumes('prometheus')).toEqual(['./deploy/prometheus/prometheus.compose.yml', './deploy/prometheus/rules.yml']);
    expect(volumes('grafana')).toEqual(['./deploy/grafana/provisioning', './deploy/grafana/ragmesh.json']);
    for (const file of [...volumes('prometheus'), ...volumes('grafana')]) expect(existsSync(join(root, file)), file).toBe(true);
    // Every scrape target is a compose service on the port it serves metrics on.
    const scrape = parse(readFileSync(join(root, 'deploy/prometheus/prometheus.compose.yml'), 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    for (const job of scrape.scrape_configs) {
      const [host, port] = job.static_configs[0]!.targets[0]!.split(':');
      expect(job.job_name).toBe(`ragmesh-${host}`);
      expect(compose.services[host!]?.ports?.map((p) => p.split(':')[1])).toContain(port);
    }
  });
});
