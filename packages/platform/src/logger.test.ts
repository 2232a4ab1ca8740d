import { Writable } from 'node:stream';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { createLogger, inLogScope } from './logger';
import { currentTraceParent, inSpan, linkTo, markStep, SpanKind } from './traceContext';

/*
 * Every log line says what it belongs to: the request, the event and its
 * chain, and the trace when one is recorded. Trace context crosses what
 * HTTP does not carry as a traceparent. With a real OpenTelemetry SDK, in
 * this process.
 */

const exporter = new InMemorySpanExporter();
const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor({ exporter })], instrumentations: [] });
beforeAll(() => sdk.start());
afterAll(() => sdk.shutdown());

function recorded() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('test', destination), lines };
}

describe('log lines', () => {
  it("carry the request's id, and an event's id and correlation id within their scopes", async () => {
    const { log, lines } = recorded();
    log.info('outside');
    await inLogScope({ requestId: 'r1' }, async () => {
      await Promise.resolve();
      log.info('in the request');
      inLogScope({ eventId: 'e1', correlationId: 'r0' }, () => log.info('applying an event'));
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(
      lines.map(({ msg, requestId, eventId, correlationId }) => ({ msg, requestId, eventId, correlationId })),
    ).toEqual([
      { msg: 'outside' },
      { msg: 'in the request', requestId: 'r1' },
      { msg: 'applying an event', requestId: 'r1', eventId: 'e1', correlationId: 'r0' },
    ]);
  });

  it("carry the trace's id inside a recorded span", async () => {
    const { log, lines } = recorded();
    let traceId = '';
    await inSpan('work', {}, (span) => {
      traceId = span.spanContext().traceId;
      log.info('traced');
      return Promise.resolve();
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({ msg: 'traced', traceId });
  });
});

describe('trace context', () => {
  it('continues a trace from its traceparent, through a marked step, and links another', async () => {
    const first = await inSpan('place', {}, () => Promise.resolve(currentTraceParent()!));
    const step = markStep('relay order.created', first, SpanKind.PRODUCER, { 'baedal.event.id': 'e1' })!;
    await inSpan('consume order.created', { parent: step, kind: SpanKind.CONSUMER }, () => Promise.resolve());
    await new Promise((resolve) => setTimeout(resolve, 50)); // the processor exports after the span ends
    const spans = exporter.getFinishedSpans();
    const [place, relay, consume] = ['place', 'relay order.created', 'consume order.created'].map((name) =>
      spans.find((s) => s.name === name)!,
    );
    expect(new Set([place, relay, consume].map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(relay.parentSpanContext?.spanId).toBe(place.spanContext().spanId);
    expect(consume.parentSpanContext?.spanId).toBe(relay.spanContext().spanId);
    expect(markStep('nothing', undefined, SpanKind.PRODUCER, {})).toBeUndefined();
    expect(linkTo(first).map((l) => l.context.spanId)).toEqual([place.spanContext().spanId]);
  });
});
