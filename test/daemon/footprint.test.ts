// What the running daemon keeps loaded, and how often it wakes at rest. On Node 22.4 and later
// an ESM `import` of node:http reads its lazy `WebSocket` getter, which loads undici, web
// streams and worker_threads (about 13 MB resident); the daemon fetches it with
// process.getBuiltinModule so that never happens. The module tests read `process.moduleLoadList`
// at exit through a preloaded module.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonsKilledAfterEach } from '../helpers/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'flarewatch-footprint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const startDaemon = daemonsKilledAfterEach();

const dump = join(dir, 'dump.mjs');
writeFileSync(
  dump,
  `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.FOOTPRINT_OUT, process.moduleLoadList.join('\\n')));
`,
);
const preload = `--import=${pathToFileURL(dump).href}`;
const loaded = (file: string) => readFileSync(file, 'utf8').split('\n');
const undiciIn = (modules: string[]) => modules.filter((m) => m.includes('internal/deps/undici'));

/** True where node:http's WebSocket export is a lazy getter (Node 22.4 and later). */
function httpHasLazyWebSocket(): boolean {
  const r = spawnSync(
    process.execPath,
    ['-p', "typeof Object.getOwnPropertyDescriptor(require('node:http'), 'WebSocket')?.get === 'function'"],
    { encoding: 'utf8' },
  );
  return r.stdout.trim() === 'true';
}

describe('daemon footprint', () => {
  it.runIf(httpHasLazyWebSocket())('an ESM import of node:http loads undici (the control)', () => {
    const out = join(dir, 'control.txt');
    const r = spawnSync(process.execPath, [preload, '--input-type=module', '-e', "import 'node:http';"], {
      env: { ...process.env, FOOTPRINT_OUT: out },
    });
    expect(r.status).toBe(0);
    expect(undiciIn(loaded(out)).length).toBeGreaterThan(0);
  });

  it('the running daemon serves HTTP without loading undici', async () => {
    const out = join(dir, 'daemon.txt');
    const logs = join(dir, 'logs');
    const d = startDaemon({
      NODE_OPTIONS: preload,
      FOOTPRINT_OUT: out,
      FLAREWATCH_STATE_DIR: join(dir, 'state'),
      FLAREWATCH_SOURCES: logs,
    });
    await d.httpAddress();
    expect((await d.stop()).code).toBe(0);
    const modules = loaded(out);
    expect(modules).toContain('NativeModule http');
    expect(undiciIn(modules)).toEqual([]);
  });

  it('at rest the main thread sleeps: nothing wakes it every second', async () => {
    // A wake-up of a sleeping process costs it about a millisecond of CPU, so a timer once a
    // second (a housekeeping tick, an event-loop-delay monitor) is most of an idle daemon's cost.
    const logs = join(dir, 'quiet-logs');
    mkdirSync(logs, { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(logs, `app-${i}.log`), 'an old line\n');
    const d = startDaemon({
      FLAREWATCH_STATE_DIR: join(dir, 'state-rest'),
      FLAREWATCH_SOURCES: logs,
      FLAREWATCH_PROBE_SCHEDULE: 'off',
    });
    await d.httpAddress();
    // The main thread's voluntary context switches: one each time it blocks after a wake-up.
    const pid = d.child.pid!;
    const switches = () =>
      Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    await new Promise((r) => setTimeout(r, 1000)); // start-up work
    const perSecond: number[] = [];
    let before = switches();
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = switches();
      perSecond.push(now - before);
      before = now;
    }
    // The median second has none (a collection or the 10 s rescan may wake it in some).
    const median = [...perSecond].sort((a, b) => a - b)[3];
    expect(median, `wake-ups per second: ${perSecond.join(' ')}`).toBe(0);
  });
});
