import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON logger per process; request-scoped children carry `requestId`. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    // Never log credentials, even by accident.
    redact: {
      paths: ['req.headers.authorization', '*.password', '*.refreshToken', '*.accessToken', 'password', 'token'],
      censor: '[redacted]',
    },
  });
}
