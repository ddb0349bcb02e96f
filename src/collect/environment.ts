// The environment collector: an allow-listed view of the daemon's environment and of tracer
// processes on the host (/proc/<pid>/environ and cmdline, where permitted). Values of
// secret-looking names are never kept: they are masked and fed to the redactor's harvest
// so that the same value is scrubbed wherever else it appears (logs, /info, configs).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { harvestSecrets, isPlainPath } from '../redact/index.js';
import { PROXY_ENV_NAMES, parseEnviron, type Env } from '../util/env.js';

const ALLOWED_PREFIXES = [
  'DD_',
  'OTEL_',
  'CORECLR_',
  'COR_',
  'DOTNET_',
  'KUBERNETES_',
  'ECS_',
  'AWS_EXECUTION_ENV',
  'AWS_REGION',
  'DATADOG_',
];
const ALLOWED_NAMES = new Set([
  ...PROXY_ENV_NAMES,
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'JAVA_OPTS',
  'CATALINA_OPTS',
  'NODE_OPTIONS',
  'PYTHONPATH',
  'RUBYOPT',
  'LD_PRELOAD',
  'PHP_INI_SCAN_DIR',
  'HOSTNAME',
  'container',
  'POD_NAME',
  'POD_NAMESPACE',
  'NODE_NAME',
  'HOST_IP',
  'HOST_PROC',
  'HOST_ROOT',
  'HOST_ETC',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'TZ',
]);

export const SECRET_MASK = '********';

export interface EnvPolicy {
  isSecretName(name: string): boolean;
  /** Extra names/prefixes from the tracer catalogue. */
  extraNames?: string[];
  extraPrefixes?: string[];
}

export function isAllowedEnvName(name: string, policy: EnvPolicy): boolean {
  if (ALLOWED_NAMES.has(name) || policy.extraNames?.includes(name)) return true;
  return [...ALLOWED_PREFIXES, ...(policy.extraPrefixes ?? [])].some((p) => name.startsWith(p));
}

export interface EnvSnapshot {
  /** Allowed variables; secret ones carry SECRET_MASK instead of a value. */
  vars: Record<string, string>;
  /** Names present but not on the allow-list (names only, no values). */
  droppedNames: number;
  /** Values that must be scrubbed everywhere else. */
  secretValues: string[];
}

export function snapshotEnv(env: Env, policy: EnvPolicy): EnvSnapshot {
  const vars: Record<string, string> = {};
  const secretValues: string[] = [];
  let droppedNames = 0;
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined) continue;
    const secret = policy.isSecretName(name);
    // Harvest secret values even from variables we do not show: they can still leak into logs.
    if (secret && value.trim() !== '' && !isPlainPath(value)) secretValues.push(value);
    if (!isAllowedEnvName(name, policy)) {
      droppedNames++;
      continue;
    }
    vars[name] = secret ? SECRET_MASK : value;
  }
  // The one harvest adds URL and proxy passwords, header-list values and secret files.
  return { vars, droppedNames, secretValues: [...secretValues, ...harvestSecrets(env)] };
}

/** What on a command line or in an environment says "a tracer runs here". */
export function tracerMarkers(cmdline: string[], env: Env): string[] {
  const markers = new Set<string>();
  const cmd = cmdline.join(' ');
  if (/-javaagent:\S*dd-java-agent/i.test(cmd)) markers.add('dd-java-agent');
  if (/-javaagent:\S*opentelemetry/i.test(cmd)) markers.add('otel-javaagent');
  else if (cmd.includes('-javaagent:')) markers.add('javaagent');
  if (/\bddtrace-run\b/.test(cmd)) markers.add('ddtrace-run');
  if (/\bdd-trace\b/.test(cmd)) markers.add('dd-trace');
  if (/\bopentelemetry-instrument\b/.test(cmd)) markers.add('opentelemetry-instrument');
  if (/\b(otelcol|otelcol-contrib|otel-collector)\b/.test(cmd)) markers.add('otel-collector');
  if (/\btrace-agent\b/.test(cmd)) markers.add('datadog-trace-agent');
  for (const name of Object.keys(env)) {
    if (name.startsWith('DD_')) markers.add('DD_* env');
    else if (name.startsWith('OTEL_')) markers.add('OTEL_* env');
  }
  if (env.CORECLR_PROFILER || env.COR_PROFILER) markers.add('CLR profiler');
  if (env.LD_PRELOAD && /datadog|apm\/inject/i.test(env.LD_PRELOAD)) markers.add('APM injector (LD_PRELOAD)');
  for (const v of [env.JAVA_TOOL_OPTIONS, env.NODE_OPTIONS])
    if (v && /dd-java-agent|dd-trace|opentelemetry/i.test(v)) markers.add('tracer in *_OPTIONS');
  return [...markers];
}

export interface TracerProcess {
  pid: number;
  cmdline: string[];
  markers: string[];
  env: Record<string, string>;
  envReadable: boolean;
}

export interface ProcessScan {
  processes: TracerProcess[];
  scanned: number;
  unreadable: number;
  secretValues: string[];
}

/** Walks /proc (or a fixture with the same layout) for tracer processes, bounded in count. */
export async function scanProcesses(
  procRoot: string,
  policy: EnvPolicy,
  opts: { selfPid?: number; maxProcesses?: number; signal?: AbortSignal } = {},
): Promise<ProcessScan> {
  const max = opts.maxProcesses ?? 2000;
  let names: string[];
  try {
    names = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n)).slice(0, max);
  } catch {
    return { processes: [], scanned: 0, unreadable: 0, secretValues: [] };
  }
  const out: ProcessScan = { processes: [], scanned: 0, unreadable: 0, secretValues: [] };
  for (const name of names) {
    if (opts.signal?.aborted) break;
    const pid = Number(name);
    if (pid === opts.selfPid) continue;
    out.scanned++;
    let cmdline: string[];
    try {
      cmdline = (await readFile(join(procRoot, name, 'cmdline'))).toString('utf8').split('\0').filter(Boolean);
    } catch {
      continue; // the process exited
    }
    let env: Env = {};
    let envReadable = true;
    try {
      env = parseEnviron(await readFile(join(procRoot, name, 'environ')));
    } catch {
      envReadable = false;
      out.unreadable++;
    }
    const markers = tracerMarkers(cmdline, env);
    if (markers.length === 0) continue;
    const snap = snapshotEnv(env, policy);
    out.secretValues.push(...snap.secretValues);
    if (out.processes.length < 200)
      out.processes.push({ pid, cmdline: cmdline.slice(0, 200), markers, env: snap.vars, envReadable });
  }
  return out;
}
