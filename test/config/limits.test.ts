// Settings outside their documented range, settings files that are not regular files, the
// same key spelled twice, control bytes echoed from a bad file, and the root notice.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, rootStateNotice, type LoadOptions } from '../../src/config/load.js';
import { SETTINGS, settingRange, type SettingSpec } from '../../src/config/settings.js';
import { errorOf } from './helpers.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'flarewatch-limits-'));
const load = (opts: LoadOptions = {}) =>
  loadConfig({ env: {}, cwd: tempDir(), uid: 1000, home: '/home/u', exists: () => false, ...opts });

describe('every setting has a documented range', () => {
  it.each([
    ['FLAREWATCH_COLLECTOR_TIMEOUT', '30d'],
    ['FLAREWATCH_RESCAN_INTERVAL', '30d'],
    ['FLAREWATCH_CAPTURE_SECONDS', '30d'],
    ['FLAREWATCH_MAX_LINE_BYTES', '10GiB'],
    ['FLAREWATCH_THRESHOLD', '99999999999'],
    ['FLAREWATCH_MAX_OPEN_FILES', '1000000'],
  ])('%s=%s is refused, naming the setting and its range', (env, value) => {
    const err = errorOf(() => load({ env: { [env]: value } }));
    expect(err.setting).toBe(env);
    expect(err.message).toContain(`${env}="${value}"`);
    expect(err.message).toMatch(/from .+ to /);
  });

  it('states a range for every number-like setting, and each default lies inside it', () => {
    for (const spec of SETTINGS as readonly SettingSpec[]) {
      const range = settingRange(spec);
      expect(range, spec.env).toBeTruthy();
    }
    expect(() => load()).not.toThrow();
  });

  it('keeps every duration within what a Node timer can hold', () => {
    const r = load({ env: { FLAREWATCH_RESCAN_INTERVAL: '1h', FLAREWATCH_COOLDOWN: '7d' } });
    expect(r.config.rescanInterval).toBe(3600);
    expect(errorOf(() => load({ env: { FLAREWATCH_DELETE_GRACE: '25d' } })).setting).toBe('FLAREWATCH_DELETE_GRACE');
  });
});

describe('settings files must be regular files of bounded size', () => {
  it.each(['FLAREWATCH_CONFIG', 'FLAREWATCH_ENV_FILE', 'FLAREWATCH_RULES_FILE'])(
    '%s=/dev/zero is refused at once',
    (setting) => {
      const err = errorOf(() => load({ env: { [setting]: '/dev/zero' } }));
      expect(err.setting).toBe(setting);
      expect(err.message).toContain('not a regular file');
    },
  );

  it('refuses a FIFO without blocking on it', () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const err = errorOf(() => load({ env: { FLAREWATCH_CONFIG: fifo } }));
    expect(err.message).toContain('not a regular file');
  });

  it('refuses a config file over 1 MiB, and follows a symlink to a regular file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\nthreshold: 3\n`);
    expect(errorOf(() => load({ env: { FLAREWATCH_CONFIG: join(dir, 'big.yaml') } })).message).toMatch(/bytes/);
    writeFileSync(join(dir, 'ok.yaml'), 'threshold: 3\n');
    symlinkSync(join(dir, 'ok.yaml'), join(dir, 'link.yaml'));
    expect(load({ env: { FLAREWATCH_CONFIG: join(dir, 'link.yaml') } }).config.threshold).toBe(3);
  });
});

describe('config file keys', () => {
  it('refuses one setting given in two spellings', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fw.yaml'), 'threshold: 3\nTHRESHOLD: 7\n');
    const err = errorOf(() => load({ env: { FLAREWATCH_CONFIG: join(dir, 'fw.yaml') } }));
    expect(err.message).toContain('sets FLAREWATCH_THRESHOLD twice ("threshold" and "THRESHOLD")');
  });

  it('escapes control bytes from a bad file in the message', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fw.yaml'), 'threshold: "\u001b]0;pwned\u0007\u001b[2J"\n');
    const err = errorOf(() => load({ env: { FLAREWATCH_CONFIG: join(dir, 'fw.yaml') } }));
    expect(Array.from(err.message, (c) => c.charCodeAt(0)).filter((n) => n < 0x20 || n === 0x7f)).toEqual([]);
    expect(err.message).toContain('\\x1b]0;pwned\\x07\\x1b[2J');
  });
});

describe('root default state directory', () => {
  it('is announced with the setting that moves it', () => {
    const notice = rootStateNotice(load({ uid: 0 }));
    expect(notice).toContain('/var/lib/flarewatch');
    expect(notice).toContain('FLAREWATCH_STATE_DIR');
  });

  it('is not announced when chosen explicitly or per-user', () => {
    expect(rootStateNotice(load({ uid: 0, env: { FLAREWATCH_STATE_DIR: '/srv/fw' } }))).toBeUndefined();
    expect(rootStateNotice(load({ uid: 1000 }))).toBeUndefined();
  });
});
