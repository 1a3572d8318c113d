// The one place the OpenTelemetry SDK is set up. `startTelemetry` is called first thing in a
// service; domain code only uses @opentelemetry/api. Spans are exported over OTLP when the standard
// OTEL_EXPORTER_OTLP_* variables ask for it, and to Zipkin when OTEL_TRACES_EXPORTER names it
// (endpoint OTEL_EXPORTER_ZIPKIN_ENDPOINT); sampling follows OTEL_TRACES_SAMPLER(_ARG), read by the
// SDK itself. Metrics are always served for Prometheus.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
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
  const enabled = env.OTEL_SDK_DISABLED !== 'true';
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim());
  const spanProcessors: SpanProcessor[] = [];
  if (enabled && (exporters.includes('otlp') || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  if (enabled && exporters.includes('zipkin')) {
    spanProcessors.push(new BatchSpanProcessor(new ZipkinExporter({ url: env.OTEL_EXPORTER_ZIPKIN_ENDPOINT ?? 'http://127.0.0.1:9411/api/v2/spans' }), { scheduledDelayMillis: 1_000 }));
  }
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
