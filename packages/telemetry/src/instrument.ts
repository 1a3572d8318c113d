// Imported first by every service's main.ts, before anything else loads: registers the ESM loader
// hook (so instrumentations see modules that arrive by `import`) and OpenTelemetry's maintained
// instrumentations, which make child spans of the Postgres (pg), Redis (ioredis), HTTP (node:http:
// the gateway's requests) and fetch (undici: the embedding API) calls made inside a traced span.
// Spans go to the tracer provider startTelemetry registers; nothing is recorded without a parent.
import { register } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

// Probes and scrapes are not traffic.
const untraced = new Set(['/healthz', '/readyz', '/metrics']);

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
registerInstrumentations({
  instrumentations: [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => untraced.has((request.url ?? '/').split('?')[0] ?? '/') }),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
  ],
});
