export * from './catalog';
export * from './outbox';
export * from './queues';
export * from './relay';
export * from './consumer';
export * from './dlq';
