export * from './data-source';
export * from './request-context';
export * from './event-factory';
export * from './outbox/outbox';
export * from './outbox/outbox-relay';
export * from './inbox/inbox';
export * from './migrations/1764460800000-OutboxInbox';
export * from './tree-sql';
