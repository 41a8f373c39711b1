export * from './envelope.js';
export * from './catalogue.js';
export * from './kafka.js';
export * from './tables.js';
export * from './outbox.js';
export * from './consumer.js';
export * from './migrations.js';
export * from './topics.js';
