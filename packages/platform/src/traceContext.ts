import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
} from '@opentelemetry/api';

/*
 * Trace context across what HTTP does not carry: an event (its envelope
 * keeps the traceparent of the work that wrote it), a job, an order's
 * charge. With tracing off (tracing.ts started nothing) every call here is
 * OpenTelemetry's no-op and costs next to nothing.
 */

const tracer = trace.getTracer('baedal');

/** The active trace as a W3C traceparent, or undefined when nothing is traced. */
export function currentTraceParent(): string | undefined {
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The active trace's id (for log lines), or undefined. */
export function currentTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** The span that `traceparent` names, as a link from another trace. */
export function linkTo(traceparent: string | undefined): Link[] {
  if (!traceparent) return [];
  const span = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
  return span ? [{ context: span }] : [];
}

export interface SpanOptions {
  /** The trace to continue (a traceparent); the active one when absent. */
  parent?: string;
  kind?: SpanKind;
  links?: Link[];
  attributes?: Record<string, string | number | boolean>;
}

/** Runs `work` inside a new span, a child of `parent` (or of the active span), recording a failure. */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ? propagation.extract(ROOT_CONTEXT, { traceparent: options.parent }) : context.active();
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, links: options.links, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** A span that starts and ends at once, a child of `parent`: a step (relaying an event) marked in its trace. Returns its traceparent. */
export function markStep(
  name: string,
  parent: string | undefined,
  kind: SpanKind,
  attributes: Record<string, string>,
): string | undefined {
  if (!parent) return undefined;
  const span = tracer.startSpan(name, { kind, attributes }, propagation.extract(ROOT_CONTEXT, { traceparent: parent }));
  const carrier: { traceparent?: string } = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  span.end();
  return carrier.traceparent ?? parent;
}

export { SpanKind };
