// The one place the OpenTelemetry SDK is set up. `startTelemetry` is called first thing in a
// service's main.ts; domain code only uses @opentelemetry/api. Spans are exported over OTLP when
// the standard OTEL_EXPORTER_OTLP_* variables ask for it; metrics are always served for Prometheus.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

export interface TelemetryOptions {
  service: string;
  env?: Record<string, string | undefined>;
}

export interface Telemetry {
  /** Serves the Prometheus text exposition of every metric created through @opentelemetry/api. */
  metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  shutdown: () => Promise<void>;
}

/** Registers global tracer and meter providers for `service`. Call once per process. */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? options.service });
  const exportSpans =
    env.OTEL_SDK_DISABLED !== 'true' && Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const spanProcessors: SpanProcessor[] = exportSpans ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors });
  tracerProvider.register();

  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [exporter] });
  metrics.setGlobalMeterProvider(meterProvider);

  return {
    metricsHandler: (req, res) => exporter.getMetricsRequestHandler(req, res),
    shutdown: async () => {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
