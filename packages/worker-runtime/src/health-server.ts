import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';

export type ReadinessCheck = () => Promise<void> | void;

export interface HealthServerOptions {
  port: number;
  host?: string;
  /** Named dependency checks for /readyz; each throws when its dependency is unreachable. */
  checks: Record<string, ReadinessCheck>;
  /**
   * Dependencies the service works without (caches): reported in /readyz's body, never failing it,
   * so an orchestrator does not pull healthy instances out of service for a cache outage.
   */
  degradable?: Record<string, ReadinessCheck>;
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  checkTimeoutMs?: number;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The answer of /readyz: 200 when every required dependency answers (`status: degraded`, naming
 * them, when only degradable ones fail), 503 otherwise; each check's outcome in `checks`.
 */
export async function readinessReport(options: { checks: Record<string, ReadinessCheck>; degradable?: Record<string, ReadinessCheck>; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const run = (checks: Record<string, ReadinessCheck>) =>
    Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
  const [required, optional] = await Promise.all([run(options.checks), run(options.degradable ?? {})]);
  const failed = required.some(([, error]) => error !== null);
  const degraded = optional.filter(([, error]) => error !== null).map(([name]) => name);
  const checks = Object.fromEntries([...required, ...optional].map(([name, error]) => [name, error ?? 'ok']));
  const status = failed ? 'not_ready' : degraded.length > 0 ? 'degraded' : 'ready';
  return { httpStatus: failed ? 503 : 200, body: { status, checks, ...(degraded.length > 0 ? { degraded } : {}) } };
}

/**
 * Readiness as metrics: `ragmesh_ready` (1 when /readyz would answer 200) and `ragmesh_degraded`
 * (1 when it would say `degraded`), so an alert sees a running but unready instance (a dependency
 * down, a configuration problem) that `up` alone would not. The checks run every 5 s in the
 * background, never inside a scrape: a check waiting on a dead dependency must not make the
 * scrape itself time out.
 */
export function observeReadiness(options: { checks: Record<string, ReadinessCheck>; degradable?: Record<string, ReadinessCheck>; timeoutMs?: number }): void {
  const meter = metrics.getMeter('@ragmesh/worker-runtime');
  const ready = meter.createObservableGauge('ragmesh_ready', { description: '1 when the instance is ready (its /readyz answers 200), else 0' });
  const degraded = meter.createObservableGauge('ragmesh_degraded', { description: '1 when the instance serves without a degradable dependency (a cache, the registry)' });
  let last: { ready: number; degraded: number } | undefined;
  const refresh = () =>
    void readinessReport(options).then(({ httpStatus, body }) => {
      last = { ready: httpStatus === 200 ? 1 : 0, degraded: body.status === 'degraded' ? 1 : 0 };
    });
  refresh();
  setInterval(refresh, 5_000).unref();
  meter.addBatchObservableCallback((result) => {
    if (!last) return;
    result.observe(ready, last.ready);
    result.observe(degraded, last.degraded);
  }, [ready, degraded]);
}

/** Serves /healthz (the process answers), /readyz (see readinessReport) and /metrics. */
export async function startHealthServer(options: HealthServerOptions): Promise<Server & { url: string }> {
  observeReadiness({ checks: options.checks, degradable: options.degradable, timeoutMs: options.checkTimeoutMs });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/metrics' && options.metricsHandler) return options.metricsHandler(req, res);
    if (path === '/readyz') {
      void readinessReport({ checks: options.checks, degradable: options.degradable, timeoutMs: options.checkTimeoutMs }).then(({ httpStatus, body }) => json(res, httpStatus, body));
      return;
    }
    json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path}`, details: {} } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return Object.assign(server, { url: `http://${options.host ?? '127.0.0.1'}:${port}` });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
