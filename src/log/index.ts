// flarewatch's own log: structured JSON lines (pretty on a TTY), every string through the
// redactor, secret-named fields masked, and a rate limiter for noisy events.
export { type Logger } from './logger.js';
