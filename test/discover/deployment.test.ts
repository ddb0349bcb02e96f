// What each Kubernetes deployment lets the process scan see: the sidecar shares the pod's
// process table and runs as the app's user, the DaemonSet sees the node's with hostPID and
// may read other users' environments (CAP_SYS_PTRACE).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load.js';

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  securityContext?: { runAsUser?: number; capabilities?: { add?: string[] } };
}
interface PodSpec {
  shareProcessNamespace?: boolean;
  hostPID?: boolean;
  securityContext?: { runAsUser?: number };
  containers: Container[];
}

function podSpec(file: string): PodSpec {
  const path = fileURLToPath(new URL(`../../config/kubernetes/${file}`, import.meta.url));
  const docs = parseAllDocuments(readFileSync(path, 'utf8')).map(
    (d) => d.toJS() as { spec?: { template?: { spec: PodSpec } } },
  );
  const spec = docs.find((d) => d.spec?.template)?.spec?.template?.spec;
  if (!spec) throw new Error(`no pod template in ${file}`);
  return spec;
}

const container = (spec: PodSpec, name: string) => {
  const c = spec.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} container`);
  return c;
};

function discoverSchedule(c: Container): string {
  const env = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
  return loadConfig({ env, cwd: '/', uid: 65532, home: '/nonexistent', exists: () => false }).config.discoverSchedule;
}

describe('sidecar: the pod’s processes', () => {
  const spec = podSpec('sidecar.yaml');
  it('shares the process namespace and runs as the app’s user, so the app’s environ is readable', () => {
    expect(spec.shareProcessNamespace).toBe(true);
    const app = container(spec, 'app').securityContext?.runAsUser;
    const fw = container(spec, 'flarewatch').securityContext?.runAsUser;
    expect(app).toBeDefined();
    expect(app).toBe(fw);
  });
  it('scans on a schedule', () => {
    expect(discoverSchedule(container(spec, 'flarewatch'))).not.toBe('off');
  });
});

describe('DaemonSet: every process on the node', () => {
  const spec = podSpec('daemonset.yaml');
  it('uses the host PID namespace and may read other users’ /proc entries', () => {
    expect(spec.hostPID).toBe(true);
    const fw = container(spec, 'flarewatch');
    expect(fw.securityContext?.capabilities?.add).toContain('SYS_PTRACE');
    expect(fw.securityContext?.runAsUser).toBe(0);
    expect(discoverSchedule(fw)).not.toBe('off');
  });
});
