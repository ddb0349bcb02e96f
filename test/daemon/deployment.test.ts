// The deployment files must agree with the settings flarewatch reads and mount what they name.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { SETTINGS } from '../../src/config/settings.js';

const file = (p: string) => fileURLToPath(new URL(`../../config/${p}`, import.meta.url));
const KNOWN = new Set<string>(SETTINGS.map((s) => s.env));

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Mount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: Mount[];
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  containers: Container[];
  volumes: { name: string; hostPath?: { path: string }; emptyDir?: unknown }[];
}

function workloads(path: string): { kind: string; spec: PodSpec }[] {
  return parseAllDocuments(readFileSync(file(path), 'utf8'))
    .map((d) => d.toJS() as { kind: string; spec?: { template?: { spec: PodSpec } } })
    .filter((d) => d.spec?.template)
    .map((d) => ({ kind: d.kind, spec: d.spec!.template!.spec }));
}

function flarewatch(spec: PodSpec): Container {
  const c = spec.containers.find((x) => x.name === 'flarewatch');
  if (!c) throw new Error('no flarewatch container');
  return c;
}

function envOf(c: Container): Record<string, string> {
  return Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
}

const mountedAt = (c: Container, path: string) =>
  (c.volumeMounts ?? []).find((m) => path === m.mountPath || path.startsWith(m.mountPath + '/'));

describe.each(['kubernetes/sidecar.yaml', 'kubernetes/daemonset.yaml'])('%s', (path) => {
  const [w] = workloads(path);
  const fw = flarewatch(w!.spec);
  const env = envOf(fw);

  it('sets only settings flarewatch knows, with values it accepts', () => {
    for (const name of Object.keys(env).filter((n) => n.startsWith('FLAREWATCH_'))) expect(KNOWN, name).toContain(name);
    const cfg = loadConfig({ env, cwd: '/', uid: 65532, home: '/nonexistent', exists: () => false }).config;
    expect(cfg.stateDir).toBe('/var/lib/flarewatch');
  });

  it('mounts every log dir read-only and the state dir writable (read-only root filesystem)', () => {
    expect(fw.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(fw.securityContext?.allowPrivilegeEscalation).toBe(false);
    for (const dir of env.FLAREWATCH_LOG_DIRS!.split(',')) {
      const m = mountedAt(fw, dir);
      expect(m, dir).toBeDefined();
      expect(m!.readOnly, dir).toBe(true);
    }
    for (const dir of [env.FLAREWATCH_STATE_DIR!, env.FLAREWATCH_BUNDLE_DIR!]) {
      const m = mountedAt(fw, dir);
      expect(m, dir).toBeDefined();
      expect(m!.readOnly ?? false).toBe(false);
    }
    const volumes = new Set(w!.spec.volumes.map((v) => v.name));
    for (const m of fw.volumeMounts ?? []) expect(volumes).toContain(m.name);
  });

  it('points DD_AGENT_HOST at the node and probes /healthz on a reachable address', () => {
    const agent = fw.env?.find((e) => e.name === 'DD_AGENT_HOST');
    expect(agent?.valueFrom?.fieldRef?.fieldPath).toBe('status.hostIP');
    expect(fw.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(env.FLAREWATCH_HTTP_ADDR).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(env.FLAREWATCH_HTTP_ALLOW_REMOTE).toBe('true');
    expect(fw.args).toEqual(['run']);
  });
});

describe('the sidecar shares the app’s log volume', () => {
  it('mounts the app’s tracer log directory into flarewatch', () => {
    const [w] = workloads('kubernetes/sidecar.yaml');
    const app = w!.spec.containers.find((c) => c.name === 'app')!;
    const logDir = envOf(app).DD_TRACE_LOG_DIRECTORY!;
    const appMount = mountedAt(app, logDir)!;
    const fwMount = mountedAt(flarewatch(w!.spec), logDir)!;
    expect(fwMount.name).toBe(appMount.name);
  });
});

describe('the DaemonSet reads node logs from the host', () => {
  it('has read-only hostPath mounts for /var/log/pods and /var/log/containers', () => {
    const [w] = workloads('kubernetes/daemonset.yaml');
    const fw = flarewatch(w!.spec);
    for (const p of ['/var/log/pods', '/var/log/containers']) {
      const m = mountedAt(fw, p)!;
      expect(m.readOnly).toBe(true);
      expect(w!.spec.volumes.find((v) => v.name === m.name)?.hostPath?.path).toBe(p);
    }
  });
});

describe('container image', () => {
  const text = readFileSync(file('container/Dockerfile'), 'utf8');
  it('is multi-stage, non-root, and runs the built CLI', () => {
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^USER 65532:65532$/m);
    expect(text).toMatch(/^ENTRYPOINT \["node", "\/opt\/flarewatch\/dist\/cli\/main\.js"\]$/m);
    for (const m of text.matchAll(/\b(FLAREWATCH_[A-Z_]+)=/g)) expect(KNOWN).toContain(m[1]);
  });
});

describe('systemd unit', () => {
  const unit = readFileSync(file('systemd/flarewatch.service'), 'utf8');
  it('is hardened and owns its state directory', () => {
    for (const line of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'StateDirectory=flarewatch',
      'ReadWritePaths=/var/lib/flarewatch',
      'ExecReload=/bin/kill -HUP $MAINPID',
    ])
      expect(unit).toContain(line);
    expect(unit).toMatch(/^LimitNOFILE=\d+$/m);
    for (const m of unit.matchAll(/\b(FLAREWATCH_[A-Z_]+)=/g)) expect(KNOWN).toContain(m[1]);
  });

  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find(existsSync);
  it.skipIf(!analyze)('passes systemd-analyze verify', () => {
    // verify prints problems (even ones it does not fail on) to stderr.
    const r = spawnSync(analyze!, ['verify', file('systemd/flarewatch.service')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
