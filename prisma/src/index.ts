export * from './databases';
export * from './migrate';
export * from './seed';
