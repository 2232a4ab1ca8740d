import type { DeclaredConsumer } from './domainWorker';
import type { EventType, Routes } from './envelope';

/**
 * Where the routes and the consumers the domains declare disagree: a type
 * routed to a consumer that has no handler for it, a handler for a type
 * never routed to its consumer, a queue no one consumes. Empty when they agree;
 * the workers process refuses to start otherwise.
 */
export function routeMismatches<M>(routes: Routes<M>, consumers: readonly DeclaredConsumer[]): string[] {
  const mismatches: string[] = [];
  const declared = new Map(consumers.map((c) => [c.consumer, new Set(c.handles)]));
  const routed = new Map<string, Set<string>>();
  for (const [type, targets] of Object.entries(routes) as [EventType<M>, readonly string[]][]) {
    for (const consumer of targets) {
      if (!routed.has(consumer)) routed.set(consumer, new Set());
      routed.get(consumer)!.add(type);
      const handles = declared.get(consumer);
      if (!handles) mismatches.push(`${type} is routed to ${consumer}, which no domain declares`);
      else if (!handles.has(type)) mismatches.push(`${type} is routed to ${consumer}, which has no handler for it`);
    }
  }
  for (const [consumer, handles] of declared) {
    for (const type of handles) {
      if (!routed.get(consumer)?.has(type)) mismatches.push(`${consumer} handles ${type}, which is not routed to it`);
    }
  }
  return mismatches;
}
