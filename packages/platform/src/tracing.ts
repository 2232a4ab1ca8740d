import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/*
 * Tracing, imported first by every process's entry point (before anything it
 * traces is loaded): OpenTelemetry's Node SDK with HTTP, pg, ioredis and
 * GraphQL instrumentation, exporting over OTLP/HTTP. On only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (the OpenTelemetry variables configure
 * the rest); otherwise nothing is loaded into the process but this file.
 * The service is OTEL_SERVICE_NAME, or the package the entry point is in
 * (gateway, shops, …, workers).
 */

function serviceName(): string {
  const entry = process.argv[1] ?? '';
  // …/subgraphs/shops/dist/server.js → shops
  return process.env.OTEL_SERVICE_NAME ?? path.basename(path.dirname(path.dirname(entry)));
}

const HEALTH = /^\/(healthz|readyz|metrics)\b/;

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  // Traces only: metrics are Prometheus's (metrics.ts), logs are pino's.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName() }),
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => HEALTH.test(req.url ?? '') }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
    ],
  });
  sdk.start();
  // Spans still batched are sent before the process ends (stopOnSignals exits once the service has stopped).
  process.once('beforeExit', () => void sdk.shutdown());
}
