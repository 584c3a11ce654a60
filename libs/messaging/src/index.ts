export * from './nats-link';
export * from './stream';
export * from './publisher';
export * from './decode-event';
export * from './event-consumer';
export * from './metrics';
export * from './handler.decorators';
export * from './replay';
