export * from './replica.migration';
export * from './replica.handlers';
export * from './replica.auth';
export * from './replica.tree';
export * from './replica.campaign';
export * from './registry-pulse';
export * from './replica.exchange';
