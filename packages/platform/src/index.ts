export * from './config.js';
export * from './logger.js';
export * from './errors.js';
export * from './auth.js';
export * from './db.js';
export * from './pagination.js';
export * from './server.js';
export * from './schema.js';
