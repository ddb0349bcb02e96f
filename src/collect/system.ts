// The system collector's facts: OS, kernel, container runtime and orchestrator markers, and
// which agent ports have a listener (/proc/net/tcp*). Paths hang off `rootDir` and `procRoot`
// so tests run against fixture trees.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Env } from './deps.js';

/** Ports worth knowing about: APM receiver, DogStatsD, OTLP gRPC/HTTP, trace-agent debug, core IPC. */
export const AGENT_PORTS = [8126, 8125, 4317, 4318, 5012, 5001] as const;

export interface Listener {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  address: string;
  port: number;
}

function hexToIPv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function hexToIPv6(hex: string): string {
  // /proc prints the address as four host-order 32-bit words.
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Parses /proc/net/{tcp,tcp6,udp,udp6}: keeps listening TCP sockets (state 0A) and bound UDP ones (07). */
export function parseProcNet(text: string, proto: Listener['proto'], ports: readonly number[]): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    if (!local || !state) continue;
    if (proto.startsWith('tcp') ? state !== '0A' : state !== '07') continue;
    const [addrHex, portHex] = local.split(':');
    if (!addrHex || !portHex) continue;
    const port = parseInt(portHex, 16);
    if (!ports.includes(port)) continue;
    out.push({ proto, address: addrHex.length === 8 ? hexToIPv4(addrHex) : hexToIPv6(addrHex), port });
  }
  return out;
}

export interface SystemFacts {
  hostname: string;
  platform: string;
  arch: string;
  kernel: string;
  osRelease: Record<string, string>;
  uptimeSeconds: number;
  cpus: number;
  memoryBytes: number;
  node: string;
  container: { runtime: string | null; evidence: string[] };
  orchestrator: {
    kind: 'kubernetes' | 'ecs-fargate' | 'ecs' | 'eks-fargate' | null;
    namespace?: string;
    evidence: string[];
  };
  listeners: Listener[] | { unavailable: string };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    const [, key, value] = m ?? [];
    if (key && value !== undefined && ['NAME', 'PRETTY_NAME', 'ID', 'VERSION_ID', 'VERSION_CODENAME'].includes(key))
      out[key] = value.replace(/^"|"$/g, '');
  }
  return out;
}

export async function collectSystemFacts(opts: {
  env: Env;
  rootDir?: string;
  procRoot?: string;
}): Promise<SystemFacts> {
  const root = opts.rootDir ?? '/';
  const proc = opts.procRoot ?? '/proc';
  const env = opts.env;
  const osRelease = parseOsRelease((await readOptional(join(root, 'etc/os-release'))) ?? '');

  const containerEvidence: string[] = [];
  let runtime: string | null = null;
  const container = (kind: string, evidence: string) => {
    runtime ??= kind;
    containerEvidence.push(evidence);
  };
  if (existsSync(join(root, '.dockerenv'))) container('docker', '/.dockerenv exists');
  if (existsSync(join(root, 'run/.containerenv'))) container('podman', '/run/.containerenv exists');
  if (env.container) container(env.container, `container=${env.container}`);
  const cgroup = (await readOptional(join(proc, 'self/cgroup'))) ?? '';
  const cg = /(docker|containerd|cri-o|crio|kubepods|libpod)/.exec(cgroup);
  const cgRuntime = cg?.[1];
  if (cgRuntime) container(cgRuntime === 'kubepods' ? 'kubernetes pod' : cgRuntime, `cgroup mentions ${cgRuntime}`);

  const orchEvidence: string[] = [];
  let kind: SystemFacts['orchestrator']['kind'] = null;
  let namespace: string | undefined;
  if (env.KUBERNETES_SERVICE_HOST) {
    kind = 'kubernetes';
    orchEvidence.push('KUBERNETES_SERVICE_HOST set');
  }
  // Only the namespace file: the token next to it is a credential and is never read.
  const ns = await readOptional(join(root, 'var/run/secrets/kubernetes.io/serviceaccount/namespace'));
  if (ns !== undefined) {
    kind = 'kubernetes';
    namespace = ns.trim();
    orchEvidence.push('service-account namespace file present');
  }
  if (env.AWS_EXECUTION_ENV === 'AWS_ECS_FARGATE') {
    kind = 'ecs-fargate';
    orchEvidence.push('AWS_EXECUTION_ENV=AWS_ECS_FARGATE');
  } else if (env.ECS_CONTAINER_METADATA_URI_V4 || env.ECS_CONTAINER_METADATA_URI) {
    kind ??= 'ecs';
    orchEvidence.push('ECS metadata URI set');
  }
  // EKS on Fargate: pods run on nodes named fargate-ip-…; the Agent is a sidecar there.
  if (kind === 'kubernetes' && (env.NODE_NAME ?? '').startsWith('fargate-')) {
    kind = 'eks-fargate';
    orchEvidence.push('NODE_NAME starts with fargate-');
  }

  let listeners: SystemFacts['listeners'];
  const tables = await Promise.all(
    (['tcp', 'tcp6', 'udp', 'udp6'] as const).map(async (p) => ({ p, text: await readOptional(join(proc, 'net', p)) })),
  );
  if (tables.every((t) => t.text === undefined)) listeners = { unavailable: `${join(proc, 'net')} not readable` };
  else listeners = tables.flatMap((t) => (t.text ? parseProcNet(t.text, t.p, AGENT_PORTS) : []));

  return {
    hostname: os.hostname(),
    platform: os.platform(),
    arch: os.arch(),
    kernel: `${os.type()} ${os.release()}`,
    osRelease,
    uptimeSeconds: Math.round(os.uptime()),
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    container: { runtime, evidence: containerEvidence },
    orchestrator: { kind, ...(namespace ? { namespace } : {}), evidence: orchEvidence },
    listeners,
  };
}
