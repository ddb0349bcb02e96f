// flarewatch's own log: structured JSON lines (pretty on a TTY), every string through the
// redactor, secret-named fields masked, and a rate limiter for noisy events.
export { createLogger, rateLimited, type Logger, type LoggerOptions, type Level, type Fields } from './logger.js';
export { printable, printableDeep, printableJson, printableLine } from './printable.js';
