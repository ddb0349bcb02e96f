import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEnvFile, loadConfig, type LoadOptions } from '../../src/config/load.js';
import { SETTINGS } from '../../src/config/settings.js';
import { CRON_MODE, KNOWN_VALID_SCHEDULES } from '../../src/config/values.js';
import { CronPattern } from 'croner';
import { errorOf } from './helpers.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'flarewatch-config-'));
}

/** A loader call isolated from the machine: no real env, no real ./.env, fixed user. */
function load(opts: LoadOptions = {}) {
  return loadConfig({ env: {}, cwd: tempDir(), uid: 1000, home: '/home/u', exists: () => false, ...opts });
}

describe('precedence: flag > env > .env > config file > default', () => {
  const dir = tempDir();
  writeFileSync(join(dir, '.env'), 'FLAREWATCH_THRESHOLD=3\nFLAREWATCH_WINDOW=30\nFLAREWATCH_COOLDOWN=120\n');
  writeFileSync(
    join(dir, 'fw.yaml'),
    'threshold: 2\nwindow: 20\ncooldown: 100\nFLAREWATCH_LOG_LEVEL: warn\nstate-dir: /srv/fw\n',
  );
  const base: LoadOptions = { cwd: dir, env: { FLAREWATCH_CONFIG: 'fw.yaml' } };

  it('uses the flag over everything', () => {
    const r = load({ ...base, env: { ...base.env, FLAREWATCH_THRESHOLD: '4' }, flags: { FLAREWATCH_THRESHOLD: '9' } });
    expect(r.config.threshold).toBe(9);
    expect(r.settings.find((s) => s.spec.key === 'threshold')?.source).toBe('flag');
  });

  it('uses real env over .env', () => {
    const r = load({ ...base, env: { ...base.env, FLAREWATCH_THRESHOLD: '4' } });
    expect(r.config.threshold).toBe(4);
    expect(r.settings.find((s) => s.spec.key === 'threshold')?.source).toBe('env');
  });

  it('uses .env over the config file, and the file over defaults', () => {
    const r = load(base);
    expect(r.config.threshold).toBe(3);
    expect(r.config.window).toBe(30);
    expect(r.config.logLevel).toBe('warn');
    expect(r.config.stateDir).toBe('/srv/fw');
    const src = Object.fromEntries(r.settings.map((s) => [s.spec.key, s.source]));
    expect(src).toMatchObject({
      threshold: 'env-file',
      logLevel: 'config-file',
      stateDir: 'config-file',
      defaultPaths: 'default',
    });
    expect(r.envFile).toBe(join(dir, '.env'));
    expect(r.configFile).toBe(join(dir, 'fw.yaml'));
  });

  it('falls back to defaults with no sources at all', () => {
    const r = load();
    expect(r.config).toMatchObject({
      threshold: 5,
      window: 60,
      cooldown: 900,
      defaultPaths: true,
      logDirs: [],
      logLevel: 'info',
    });
    expect(r.settings.every((s) => s.source === 'default')).toBe(true);
  });

  it('reads the config file named in the .env file', () => {
    const d = tempDir();
    writeFileSync(join(d, 'c.json'), JSON.stringify({ FLAREWATCH_THRESHOLD: 7, logDirs: ['/a', '/b/*.log'] }));
    writeFileSync(join(d, '.env'), 'FLAREWATCH_CONFIG=c.json\n');
    const r = load({ cwd: d });
    expect(r.config.threshold).toBe(7);
    expect(r.config.logDirs).toEqual(['/a', '/b/*.log']);
  });
});

describe('.env loading', () => {
  it('never overrides the real environment', () => {
    const env: Record<string, string | undefined> = { DD_AGENT_HOST: 'real-agent', KEEP: 'x' };
    applyEnvFile({ DD_AGENT_HOST: 'from-file', DD_ENV: 'prod' }, env);
    expect(env).toEqual({ DD_AGENT_HOST: 'real-agent', KEEP: 'x', DD_ENV: 'prod' });
  });

  it('feeds derived defaults with its DD_* variables, real env winning', () => {
    const d = tempDir();
    writeFileSync(join(d, '.env'), 'DD_AGENT_HOST=file-agent\nDD_TRACE_AGENT_PORT=9126\n');
    expect(load({ cwd: d }).config.agentUrl).toBe('http://file-agent:9126');
    expect(load({ cwd: d, env: { DD_AGENT_HOST: 'env-agent' } }).config.agentUrl).toBe('http://env-agent:9126');
  });

  it('reads the file named by FLAREWATCH_ENV_FILE instead of ./.env', () => {
    const d = tempDir();
    writeFileSync(join(d, '.env'), 'FLAREWATCH_THRESHOLD=3\n');
    writeFileSync(join(d, 'other.env'), 'FLAREWATCH_THRESHOLD=8\n');
    expect(load({ cwd: d, env: { FLAREWATCH_ENV_FILE: 'other.env' } }).config.threshold).toBe(8);
  });

  it('is optional when not named, but a named missing file is an error', () => {
    expect(load().envFile).toBeUndefined();
    const e = errorOf(() => load({ env: { FLAREWATCH_ENV_FILE: '/nonexistent/x.env' } }));
    expect(e.setting).toBe('FLAREWATCH_ENV_FILE');
    expect(e.message).toMatch(/ENOENT/);
  });
});

describe('validation errors name the setting, the value and what is allowed', () => {
  const cases: [string, string, RegExp][] = [
    ['FLAREWATCH_THRESHOLD', 'abc', /whole number from 1 to 1000000/],
    ['FLAREWATCH_THRESHOLD', '0', /whole number from 1 to 1000000/],
    ['FLAREWATCH_THRESHOLD', '2.5', /whole number/],
    ['FLAREWATCH_WINDOW', '-5', /duration from 1s to 1d/],
    ['FLAREWATCH_WINDOW', '10x', /duration/],
    ['FLAREWATCH_COOLDOWN', 'soon', /duration from 0s to 7d/],
    ['FLAREWATCH_LOG_LEVEL', 'verbose', /one of debug\|info\|warn\|error/],
    ['FLAREWATCH_LOG_FORMAT', 'xml', /one of json\|pretty\|auto/],
    ['FLAREWATCH_DEFAULT_PATHS', 'maybe', /true or false/],
    ['FLAREWATCH_MAX_LINE_BYTES', '12 parsecs', /size from/],
    ['FLAREWATCH_MAX_LINE_BYTES', '10', /size from 256 to 16MiB/],
    ['FLAREWATCH_AGENT_URL', 'ftp://agent', /http:\/\/, https:\/\/ or unix:\/\//],
    ['FLAREWATCH_HTTP_ADDR', 'localhost', /host:port/],
    ['FLAREWATCH_HTTP_ADDR', '127.0.0.1:99999', /host:port/],
    ['FLAREWATCH_STATE_DIR', '  ', /directory path/],
  ];
  it.each(cases)('%s=%s', (name, value, allowed) => {
    const e = errorOf(() => load({ env: { [name]: value } }));
    expect(e.setting).toBe(name);
    expect(e.message).toContain(`${name}="${value}"`);
    expect(e.message).toContain('(from environment)');
    expect(e.message).toMatch(allowed);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('refuses a non-loopback HTTP address unless allowed', () => {
    const e = errorOf(() => load({ env: { FLAREWATCH_HTTP_ADDR: '0.0.0.0:8199' } }));
    expect(e.setting).toBe('FLAREWATCH_HTTP_ADDR');
    expect(e.message).toMatch(/FLAREWATCH_HTTP_ALLOW_REMOTE/);
    expect(
      load({ env: { FLAREWATCH_HTTP_ADDR: '0.0.0.0:8199', FLAREWATCH_HTTP_ALLOW_REMOTE: 'true' } }).config.httpAddr,
    ).toBe('0.0.0.0:8199');
    expect(load({ env: { FLAREWATCH_HTTP_ADDR: '[::1]:8199' } }).config.httpAddr).toBe('[::1]:8199');
  });

  it('names the source of a bad value from the config file', () => {
    const d = tempDir();
    writeFileSync(join(d, 'c.yaml'), 'window: -1\n');
    const e = errorOf(() => load({ cwd: d, env: { FLAREWATCH_CONFIG: 'c.yaml' } }));
    expect(e.message).toContain('FLAREWATCH_WINDOW="-1" (from config file');
  });

  it('rejects an unreadable config file', () => {
    const d = tempDir();
    const f = join(d, 'c.yaml');
    writeFileSync(f, 'threshold: 2\n');
    chmodSync(f, 0o000);
    const unreadable = process.getuid?.() === 0 ? '/nonexistent/c.yaml' : f; // root reads anything
    const e = errorOf(() => load({ cwd: d, env: { FLAREWATCH_CONFIG: unreadable } }));
    expect(e.setting).toBe('FLAREWATCH_CONFIG');
    expect(e.message).toMatch(/cannot be read \((ENOENT|EACCES)\)/);
  });

  it('rejects a config file that is not a mapping, not YAML, or names an unknown setting', () => {
    const d = tempDir();
    writeFileSync(join(d, 'list.yaml'), '- a\n- b\n');
    writeFileSync(join(d, 'bad.yaml'), 'threshold: [1\n');
    writeFileSync(join(d, 'typo.yaml'), 'treshold: 3\n');
    expect(errorOf(() => load({ cwd: d, env: { FLAREWATCH_CONFIG: 'list.yaml' } })).message).toMatch(
      /must hold a mapping/,
    );
    expect(errorOf(() => load({ cwd: d, env: { FLAREWATCH_CONFIG: 'bad.yaml' } })).message).toMatch(
      /not valid YAML\/JSON/,
    );
    expect(errorOf(() => load({ cwd: d, env: { FLAREWATCH_CONFIG: 'typo.yaml' } })).message).toMatch(
      /unknown setting "treshold"/,
    );
  });

  it('warns about unknown FLAREWATCH_ variables without failing', () => {
    expect(load({ env: { FLAREWATCH_TRESHOLD: '3' } }).warnings).toEqual([
      'unknown setting FLAREWATCH_TRESHOLD is ignored',
    ]);
  });
});

describe('value forms', () => {
  it('accepts durations and sizes with units', () => {
    const r = load({
      env: {
        FLAREWATCH_WINDOW: '2m',
        FLAREWATCH_COOLDOWN: '1h',
        FLAREWATCH_MAX_LINE_BYTES: '1MiB',
        FLAREWATCH_MAX_BUNDLE_BYTES: '10MB',
      },
    });
    expect(r.config.window).toBe(120);
    expect(r.config.cooldown).toBe(3600);
    expect(r.config.maxLineBytes).toBe(1024 * 1024);
    expect(r.config.maxBundleBytes).toBe(10_000_000);
  });

  it('splits comma-separated log dirs and resolves relative state dirs', () => {
    const d = tempDir();
    const r = load({
      cwd: d,
      env: { FLAREWATCH_LOG_DIRS: ' /var/log/app , /opt/*/logs/*.log,', FLAREWATCH_STATE_DIR: '/x/../y' },
    });
    expect(r.config.logDirs).toEqual(['/var/log/app', '/opt/*/logs/*.log']);
    expect(r.config.stateDir).toBe('/y');
    expect(r.config.bundleDir).toBe('/y/bundles');
  });
});

describe('derived defaults', () => {
  it('puts state in /var/lib/flarewatch for root and the XDG state dir otherwise', () => {
    expect(load({ uid: 0 }).config.stateDir).toBe('/var/lib/flarewatch');
    expect(load({ uid: 1000, home: '/home/ann' }).config.stateDir).toBe('/home/ann/.local/state/flarewatch');
    expect(load({ uid: 1000, env: { XDG_STATE_HOME: '/xdg' } }).config.stateDir).toBe('/xdg/flarewatch');
    // XDG: a relative value must be ignored.
    expect(load({ uid: 1000, home: '/home/ann', env: { XDG_STATE_HOME: 'rel' } }).config.stateDir).toBe(
      '/home/ann/.local/state/flarewatch',
    );
  });

  it('derives the agent URL the way tracers do', () => {
    const url = (env: Record<string, string>, exists: (p: string) => boolean = () => false) =>
      load({ env, exists }).config.agentUrl;
    expect(url({ DD_TRACE_AGENT_URL: 'unix:///run/apm.sock', DD_AGENT_HOST: 'h' })).toBe('unix:///run/apm.sock');
    expect(url({ DD_AGENT_HOST: 'agent.local' })).toBe('http://agent.local:8126');
    expect(url({ DD_AGENT_HOST: 'fd00::1', DD_TRACE_AGENT_PORT: '9000' })).toBe('http://[fd00::1]:9000');
    expect(url({ DD_TRACE_AGENT_PORT: '9000' })).toBe('http://localhost:9000');
    expect(url({}, (p) => p === '/var/run/datadog/apm.socket')).toBe('unix:///var/run/datadog/apm.socket');
    expect(url({}, (p) => p === '/opt/datadog/apm/inject/run/apm.socket')).toBe(
      'unix:///opt/datadog/apm/inject/run/apm.socket',
    );
    expect(url({})).toBe('http://localhost:8126');
    expect(url({ FLAREWATCH_AGENT_URL: 'http://override:1', DD_AGENT_HOST: 'h' })).toBe('http://override:1');
  });
});

describe('the settings table', () => {
  it('has unique env names, keys and flags, all FLAREWATCH_ prefixed, each with help', () => {
    const envs = SETTINGS.map((s) => s.env);
    expect(new Set(envs).size).toBe(envs.length);
    expect(new Set(SETTINGS.map((s) => s.key)).size).toBe(envs.length);
    const flags = SETTINGS.flatMap((s) => ('flag' in s ? [s.flag] : []));
    expect(new Set(flags).size).toBe(flags.length);
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^FLAREWATCH_[A-Z0-9_]+$/);
      expect(s.help.length).toBeGreaterThan(10);
    }
  });
});

/** croner's parser in the mode the daemon schedules with. */
function validate(expression: string): boolean {
  try {
    new CronPattern(expression, undefined, { mode: CRON_MODE });
    return true;
  } catch {
    return false;
  }
}

describe('schedules (croner syntax, loaded when one is set)', () => {
  it('every default schedule is valid for croner and known valid, so defaults never load it', () => {
    const defaults = SETTINGS.filter((s) => s.key.endsWith('Schedule')).map((s) => s.default);
    expect(defaults.length).toBeGreaterThanOrEqual(4);
    for (const d of defaults) {
      expect(typeof d === 'string' && validate(d)).toBe(true);
      expect(KNOWN_VALID_SCHEDULES.has(d as string)).toBe(true);
    }
    for (const known of KNOWN_VALID_SCHEDULES) expect(validate(known)).toBe(true);
  });

  it('accepts 5- and 6-field expressions and off, and refuses anything else by name', () => {
    expect(load({ env: { FLAREWATCH_PROBE_SCHEDULE: '*/5 * * * *' } }).config.probeSchedule).toBe('*/5 * * * *');
    expect(load({ env: { FLAREWATCH_PROBE_SCHEDULE: '0 */2 * * * *' } }).config.probeSchedule).toBe('0 */2 * * * *');
    expect(load({ env: { FLAREWATCH_DISCOVER_SCHEDULE: 'OFF' } }).config.discoverSchedule).toBe('off');
    const err = errorOf(() => load({ env: { FLAREWATCH_PROBE_SCHEDULE: 'every minute' } }));
    expect(err.message).toMatch(/FLAREWATCH_PROBE_SCHEDULE/);
    expect(err.message).toMatch(/cron expression/);
    // croner alone would take a seventh field (the year); the daemon's mode does not.
    expect(errorOf(() => load({ env: { FLAREWATCH_PROBE_SCHEDULE: '0 0 * * * * 2030' } })).message).toMatch(
      /FLAREWATCH_PROBE_SCHEDULE/,
    );
    expect(errorOf(() => load({ env: { FLAREWATCH_PROBE_SCHEDULE: '61 * * * *' } })).message).toMatch(
      /cron expression/,
    );
  });
});
