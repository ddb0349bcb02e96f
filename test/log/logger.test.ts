import { describe, expect, it } from 'vitest';
import { createLogger, rateLimited } from '../../src/log/logger.js';

function capture(opts: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l), isTTY: false, ...opts });
  return { logger, lines };
}

describe('logger', () => {
  it('writes one JSON object per line with time, level and message', () => {
    const { logger, lines } = capture();
    logger.info('bundle written', { path: '/b/x.zip', bytes: 1234 });
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 'info', msg: 'bundle written', path: '/b/x.zip', bytes: 1234 });
    expect(Date.parse(rec.time as string)).not.toBeNaN();
  });

  it('respects the level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.info('no');
    logger.debug('no');
    logger.warn('yes');
    expect(lines).toHaveLength(1);
    expect(logger.enabled('error')).toBe(true);
    expect(logger.enabled('info')).toBe(false);
  });

  it('is pretty on a TTY when the format is auto, and JSON otherwise', () => {
    const tty = capture({ isTTY: true });
    tty.logger.warn('agent unreachable', { target: 'localhost:8126' });
    expect(tty.lines[0]).toMatch(/^\S+Z WARN {2}agent unreachable {2}target=localhost:8126$/);
    const pipe = capture({ format: 'auto', isTTY: false });
    pipe.logger.warn('x');
    expect(() => JSON.parse(pipe.lines[0]!) as unknown).not.toThrow();
  });

  it('never writes values of secret-named fields, and runs every string through the redactor', () => {
    const { logger, lines } = capture({ redact: (s) => s.replaceAll('hunter2hunter2', '********') });
    logger.info('loaded DD_API_KEY=hunter2hunter2', {
      apiKey: 'abc123abc123',
      password: 'p',
      nested: { token: 'ttt', ok: 'fine', msg: 'hunter2hunter2' },
    });
    const out = lines.join('\n');
    for (const secret of ['hunter2hunter2', 'abc123abc123', '"ttt"']) expect(out).not.toContain(secret);
    expect(out).toContain('fine');
    const err = capture({ redact: (s) => s.replace('sekret', '***') });
    err.logger.error('failed', { err: Object.assign(new Error('auth sekret rejected'), { code: 'EAUTH' }) });
    expect(err.lines[0]).toContain('"code":"EAUTH"');
    expect(err.lines[0]).not.toContain('sekret');
  });

  it('child loggers carry their bindings', () => {
    const { logger, lines } = capture();
    logger.child({ component: 'tail' }).info('x');
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'tail' });
  });

  it('configure() changes level and format for the logger and every child it made, before or after', () => {
    const { logger, lines } = capture({ level: 'info', format: 'json' });
    const tail = logger.child({ component: 'tail' });
    tail.debug('hidden');
    logger.configure({ level: 'debug', format: 'pretty' });
    tail.debug('shown', { file: '/var/log/a.log' });
    logger.child({ component: 'bundle' }).debug('also shown');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z DEBUG shown {2}component=tail file=\/var\/log\/a\.log$/);
    expect(tail.enabled('debug')).toBe(true);
    // From a child, for the whole family; only what is given changes (here: the level).
    tail.configure({ level: 'error' });
    logger.warn('now hidden');
    logger.error('kept');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^\S+Z ERROR kept$/);
    logger.configure({ format: 'json' });
    logger.error('as json');
    expect(JSON.parse(lines[3]!)).toMatchObject({ level: 'error', msg: 'as json' });
  });

  it('rate-limits noisy messages and reports how many were suppressed', () => {
    const { logger, lines } = capture();
    const log = rateLimited(logger, 1000, 2);
    for (let i = 0; i < 5; i++) log('warn', 'connection error', { i }, 10_000 + i);
    log('warn', 'connection error', { i: 99 }, 11_500);
    const msgs = lines.map((l) => JSON.parse(l) as { msg: string; suppressed?: number });
    expect(msgs.map((m) => m.msg)).toEqual([
      'connection error',
      'connection error',
      '3 similar messages suppressed',
      'connection error',
    ]);
    expect(msgs[2]!.suppressed).toBe(3);
  });
});
