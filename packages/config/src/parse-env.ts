import type { z } from 'zod';

/** Thrown when configuration is invalid; `issues` names every bad variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  readonly retriable = false;
  constructor(readonly issues: readonly { variable: string; problem: string }[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a zod object whose keys are environment variable names.
 * Use it once per service in `loadConfig`; it reports every bad variable at once.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    variable: issue.path.map(String).join('.') || '(environment)',
    problem: issue.message,
  }));
  throw new ConfigError(issues);
}

/**
 * Calls `load` and, on a ConfigError, prints the bad variables and exits 1.
 * Use it at the top of a service's `main.ts` so a bad config never starts half a service.
 */
export function loadOrExit<T>(load: () => T, service: string): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
