// Resolves the catalogue against one environment: which log locations and configuration
// files apply on this platform, with the setting (or default) each came from. Pure apart
// from the injected `exists`, so tests can describe any machine.
import { existsSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { CATALOGUE } from './catalogue.js';
import { sourceCovers } from '../sources/index.js';
import type {
  ConfigFileCandidate,
  LogSetting,
  LogSource,
  Placement,
  ResolveOptions,
  TracerEntry,
  TracerKey,
} from './types.js';
import type { Env } from '../util/env.js';

/** Which placements apply here, and why (shown by `paths`). */
export function activePlacements(env: Env, opts: ResolveOptions = {}): Map<Placement | 'any', string> {
  const platform = opts.platform ?? process.platform;
  const exists = opts.exists ?? existsSync;
  const out = new Map<Placement | 'any', string>([['any', 'always']]);
  if (platform === 'win32') out.set('windows', 'platform win32');
  else {
    out.set('unix', `platform ${platform}`);
    if (platform === 'linux') out.set('linux', 'platform linux');
    out.set('container-host', 'container runtime log directories');
  }
  if (exists('/datadog-lib') || (env.DD_INSTRUMENTATION_INSTALL_TYPE ?? '').includes('k8s')) {
    out.set('k8s-lib-injection', exists('/datadog-lib') ? '/datadog-lib exists' : 'DD_INSTRUMENTATION_INSTALL_TYPE');
  }
  if (env.WEBSITE_SITE_NAME || env.WEBSITE_INSTANCE_ID) out.set('azure-app-service', 'WEBSITE_SITE_NAME is set');
  if (
    platform !== 'win32' &&
    (exists('/opt/datadog-packages/datadog-apm-inject') || exists('/opt/datadog/apm/inject'))
  ) {
    out.set('ssi', 'APM injector installed');
  }
  return out;
}

function pathApi(platform: NodeJS.Platform) {
  return platform === 'win32' ? win32 : posix;
}

/** Expands %ProgramData%, %TEMP%, %windir% and a leading ~ the way the tracers do. */
export function expandVars(p: string, env: Env, platform: NodeJS.Platform): string {
  const defaults: Record<string, string> = {
    programdata: 'C:\\ProgramData',
    windir: 'C:\\Windows',
    temp: platform === 'win32' ? 'C:\\Windows\\Temp' : '/tmp',
  };
  let out = p.replace(/%([A-Za-z_]+)%/g, (_, name: string) => {
    const hit = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
    return (hit ? env[hit] : undefined) ?? defaults[name.toLowerCase()] ?? `%${name}%`;
  });
  if (out.startsWith('~') && env.HOME) out = env.HOME + out.slice(1);
  return out;
}

/** `-Dname=value` (optionally quoted) from the JVM option variables. */
export function javaProperty(env: Env, name: string): { value: string; from: string } | undefined {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?:^|\\s)-D${esc}=(?:"([^"]*)"|'([^']*)'|(\\S+))`);
  for (const v of ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS']) {
    const m = env[v] ? re.exec(env[v]) : null;
    const value = m?.[1] ?? m?.[2] ?? m?.[3];
    if (value !== undefined) return { value, from: v };
  }
  return undefined;
}

function settingValue(
  env: Env,
  s: { name: string; via: 'env' | 'java-property' },
): { value: string; origin: string } | undefined {
  if (s.via === 'env') {
    const v = env[s.name];
    return v ? { value: v, origin: s.name } : undefined;
  }
  const p = javaProperty(env, s.name);
  return p ? { value: p.value, origin: `-D${s.name} (${p.from})` } : undefined;
}

function fromSetting(entry: TracerEntry, s: LogSetting, env: Env, platform: NodeJS.Platform, cwd: string): LogSource[] {
  if (s.when && env[s.when.name] !== s.when.equals) return [];
  const v = settingValue(env, s);
  if (!v) return [];
  const path = pathApi(platform);
  const abs = path.resolve(cwd, expandVars(v.value, env, platform));
  const origin = s.deprecated ? `${v.origin} (deprecated)` : v.origin;
  const format = s.format ?? 'plain';
  if (s.names === 'file') {
    return [abs, ...(s.rotated ?? []).map((r) => abs + r)].map((pattern) => ({
      tracer: entry.key,
      pattern,
      origin,
      format,
    }));
  }
  const dir = s.dirOfFile ? path.dirname(abs) : abs;
  return (s.globs?.length ? s.globs : ['*.log']).map((g) => ({
    tracer: entry.key,
    pattern: path.join(dir, g),
    origin,
    format,
  }));
}

/**
 * Every log location that applies in this environment: settings first (they name where
 * logs really go), then platform defaults. Patterns are absolute; duplicates are dropped.
 */
export function resolveLogSources(env: Env, opts: ResolveOptions & { cwd?: string } = {}): LogSource[] {
  const platform = opts.platform ?? process.platform;
  const exists = opts.exists ?? existsSync;
  const cwd = opts.cwd ?? (platform === 'win32' ? 'C:\\' : process.cwd());
  const placements = activePlacements(env, { ...opts, platform, exists });
  const path = pathApi(platform);
  const out: LogSource[] = [];
  const seen = new Set<string>();
  const add = (s: LogSource) => {
    if (seen.has(s.pattern)) return;
    seen.add(s.pattern);
    out.push(s);
  };
  for (const entry of CATALOGUE)
    for (const s of entry.logSettings) fromSetting(entry, s, env, platform, cwd).forEach(add);
  for (const entry of CATALOGUE) {
    for (const loc of entry.defaultLogs) {
      if (!placements.has(loc.placement)) continue;
      // /var/log/containers only links into /var/log/pods: watching both would count twice.
      if (loc.dir === '/var/log/containers' && exists('/var/log/pods')) continue;
      const dir = expandVars(platform === 'win32' && loc.windowsDir ? loc.windowsDir : loc.dir, env, platform);
      for (const g of loc.globs)
        add({
          tracer: entry.key,
          pattern: path.join(dir, g),
          origin: `default (${loc.placement})`,
          format: loc.format,
        });
    }
  }
  return out;
}

/** Configuration files worth snapshotting for each tracer, from settings and defaults. */
export function resolveConfigFiles(env: Env, opts: ResolveOptions & { cwd?: string } = {}): ConfigFileCandidate[] {
  const platform = opts.platform ?? process.platform;
  const exists = opts.exists ?? existsSync;
  const cwd = opts.cwd ?? (platform === 'win32' ? 'C:\\' : process.cwd());
  const placements = activePlacements(env, { ...opts, platform, exists });
  const path = pathApi(platform);
  const out: ConfigFileCandidate[] = [];
  const seen = new Set<string>();
  const add = (c: ConfigFileCandidate) => {
    const key = `${c.tracer}\0${c.path}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(c);
  };
  for (const entry of CATALOGUE) {
    for (const s of entry.configFileSettings) {
      const v = settingValue(env, s);
      if (v)
        add({
          tracer: entry.key,
          path: path.resolve(cwd, expandVars(v.value, env, platform)),
          format: s.format,
          origin: v.origin,
        });
    }
    for (const f of entry.configFiles) {
      if (!placements.has(f.placement)) continue;
      const p = expandVars(f.path, env, platform);
      add({
        tracer: entry.key,
        path: path.isAbsolute(p) ? p : path.resolve(cwd, p),
        format: f.format,
        origin: f.placement === 'any' ? 'default (relative to the working directory)' : `default (${f.placement})`,
        ...(f.neverCopy ? { neverCopy: true } : {}),
      });
    }
  }
  return out;
}

/**
 * The tracer a log file belongs to, from the sources it matches or its file name; undefined
 * for files that could hold anything (the line prefixes decide then).
 */
export function tracerForFile(file: string, sources: readonly LogSource[] = []): TracerKey | undefined {
  for (const s of sources) if (sourceCovers(s.pattern, file)) return s.tracer;
  const base = file.split(/[\\/]/).pop() ?? file;
  for (const entry of CATALOGUE) {
    for (const g of entry.fileNames) {
      const re = new RegExp(
        `^${g
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      if (re.test(base)) return entry.key;
    }
  }
  return undefined;
}
