import type { Logger } from '@ragmesh/telemetry';

export interface ShutdownOptions {
  logger: Logger;
  /** Closers run in order: stop consuming first, then producers, pools and servers. */
  closers: { name: string; close: () => Promise<unknown> }[];
  timeoutMs?: number;
  exit?: (code: number) => void;
}

/**
 * On SIGTERM or SIGINT, runs the closers in order and exits 0, or exits 1 when they do not finish
 * within `timeoutMs` (default 25 s, under Kubernetes' 30 s grace period).
 */
export function onShutdown(options: ShutdownOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;
  const shutdown = (signal: string) => {
    if (started) return;
    started = true;
    options.logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      options.logger.error('shutdown timed out', { timeoutMs: options.timeoutMs ?? 25_000 });
      exit(1);
    }, options.timeoutMs ?? 25_000);
    timer.unref();
    void (async () => {
      for (const closer of options.closers) {
        try {
          await closer.close();
        } catch (error) {
          options.logger.warn('closer failed', { closer: closer.name, error: String(error) });
        }
      }
      options.logger.info('shut down');
      exit(0);
    })();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
