// Parsers for the string forms settings arrive in (env vars, .env, flags, config files).
// Each returns a zod schema so that one error message names what is allowed. The schemas
// are built with Zod's v3 API (`zod/v3`, shipped in the zod 4 package and kept there for
// good): every command loads the settings table, and `zod/v3` is 10 modules where the
// package root is 95, about 50 ms of start-up on every `flarewatch` invocation. The
// parsers here use nothing but unknown → transform → describe, which both APIs share.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type * as Croner from 'croner';
import { z } from 'zod/v3';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** "64KiB", "32 MB", "1048576" → bytes; undefined when the text is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

const SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** "90", "90s", "5m", "1.5h", "7d" → seconds; undefined when the text is not a duration. */
export function parseSeconds(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (SECONDS[(m[2] ?? '').toLowerCase()] ?? 1);
}

/**
 * The schema carries its allowed range as its description, so the settings table, the error
 * message and the generated documentation all say the same thing.
 */
function fromText<T>(parse: (s: string) => T | undefined, allowed: string) {
  return z
    .unknown()
    .transform((raw, ctx): T => {
      const parsed = typeof raw === 'number' ? parse(String(raw)) : typeof raw === 'string' ? parse(raw) : undefined;
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: allowed });
        return z.NEVER;
      }
      return parsed;
    })
    .describe(allowed);
}

/** Node's timers overflow past 2^31-1 ms (24.8 days) and fire after 1 ms instead. */
export const TIMER_MAX_SECONDS = 24 * 86400;

/** "86400" → "1d", "90" → "90s": the shortest exact way to write a duration. */
export function formatSeconds(n: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const)
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  return `${n}s`;
}

/** 1048576 → "1MiB": a size written back in setting syntax, the shortest exact binary way. */
function sizeSettingText(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  return String(n);
}

export const int = (min: number, max: number) =>
  fromText((s) => {
    if (!/^\s*-?\d+\s*$/.test(s)) return undefined;
    const n = Number(s);
    return n >= min && n <= max ? n : undefined;
  }, `a whole number from ${min} to ${max}`);

/** A duration; the maximum defaults to what a Node timer can hold. */
export const seconds = (min: number, max = TIMER_MAX_SECONDS) =>
  fromText(
    (s) => {
      const n = parseSeconds(s);
      return n !== undefined && n >= min && n <= max ? n : undefined;
    },
    `a duration from ${formatSeconds(min)} to ${formatSeconds(max)} (e.g. 60, 90s, 5m, 1h)`,
  );

export const bytes = (min: number, max: number) =>
  fromText(
    (s) => {
      const n = parseBytes(s);
      return n !== undefined && n >= min && n <= max ? n : undefined;
    },
    `a size from ${sizeSettingText(min)} to ${sizeSettingText(max)} (e.g. 65536, 64KiB, 32MB)`,
  );

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
export const bool = () =>
  fromText((s) => {
    const v = s.trim().toLowerCase();
    return TRUE.has(v) ? true : FALSE.has(v) ? false : undefined;
  }, 'true or false');

export const oneOf = <T extends string>(choices: readonly T[]) =>
  fromText(
    (s) => {
      const v = s.trim().toLowerCase();
      return (choices as readonly string[]).includes(v) ? (v as T) : undefined;
    },
    `one of ${choices.join('|')}`,
  );

/** Comma-separated list (a config file may give a real array). */
export const list = () =>
  z
    .unknown()
    .transform((raw, ctx): string[] => {
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string'))
        return raw.map((x) => x.trim()).filter(Boolean);
      if (typeof raw === 'string')
        return raw
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      ctx.addIssue({ code: 'custom', message: 'a comma-separated list of paths or globs' });
      return z.NEVER;
    })
    .describe('a comma-separated list of paths or globs');

/** A filesystem path; relative paths are taken from the working directory. */
export const dirPath = () => fromText((s) => (s.trim() === '' ? undefined : resolve(s.trim())), 'a directory path');

/** Optional text: empty means unset. */
export const optionalText = () =>
  z
    .unknown()
    .transform((raw, ctx): string | undefined => {
      if (raw === undefined || raw === null) return undefined;
      if (typeof raw !== 'string') {
        ctx.addIssue({ code: 'custom', message: 'a string' });
        return z.NEVER;
      }
      return raw.trim() === '' ? undefined : raw.trim();
    })
    .describe('text; empty means unset');

/** host:port, [v6]:port. */
export const hostPort = () =>
  fromText((s) => {
    const m = /^\s*(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\s*$/.exec(s);
    if (!m || Number(m[2]) > 65535) return undefined;
    return `${m[1]}:${Number(m[2])}`;
  }, 'host:port (e.g. 127.0.0.1:8199 or [::1]:8199)');

/** http(s):// or unix:// URL, or an absolute Unix socket path. */
export const agentUrl = () =>
  fromText((s) => {
    const v = s.trim();
    if (v.startsWith('/')) return `unix://${v}`;
    try {
      const u = new URL(v);
      return ['http:', 'https:', 'unix:'].includes(u.protocol) ? v.replace(/\/+$/, '') : undefined;
    } catch {
      return undefined;
    }
  }, 'an http://, https:// or unix:// URL, or an absolute socket path');

const requireCjs = createRequire(import.meta.url);

/**
 * croner's parser, loaded at the first expression that needs it: every command parses the
 * settings table's defaults, and those are known valid (the configuration tests parse each
 * with croner), so a run that sets no schedule never loads the scheduler.
 */
function validCron(expression: string): boolean {
  if (KNOWN_VALID_SCHEDULES.has(expression)) return true;
  const { CronPattern } = requireCjs('croner') as typeof Croner;
  try {
    new CronPattern(expression, undefined, { mode: CRON_MODE });
    return true;
  } catch {
    return false;
  }
}

/** The cron syntax the settings accept and the daemon schedules with: 5 fields, or 6 with seconds. */
export const CRON_MODE = '5-or-6-parts' as const;

/** The default schedules of the settings table. */
export const KNOWN_VALID_SCHEDULES: ReadonlySet<string> = new Set(['* * * * *', '*/30 * * * *', '17 * * * *']);

/** A cron expression (5 or 6 fields, the second first when there are 6); "off" disables the job. */
export const cron = () =>
  fromText((s) => {
    const v = s.trim();
    if (v.toLowerCase() === 'off') return 'off';
    return validCron(v) ? v : undefined;
  }, 'a cron expression such as "*/5 * * * *", or off');
