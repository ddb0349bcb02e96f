// Which tracers a process loads, from its command line and environment only (pure). Loader
// evidence (an agent jar, a --require, a wrapper command, an injected library) is exact; a
// runtime that merely carries tracer settings in its environment counts too, because SDKs
// are often initialised in code (the OpenTelemetry JS SDK, dd-trace's `init()`).
import type { TracerKey } from '../tracers/types.js';
import type { LoadedTracer } from './types.js';
import type { Env } from '../util/env.js';

/** The interpreter or VM a process runs, from its executable name. */
export type Runtime = 'node' | 'jvm' | 'python' | 'ruby' | 'php' | 'dotnet' | 'native' | 'unknown';

/** Datadog's and OpenTelemetry's .NET profiler CLSIDs (CORECLR_PROFILER). */
const DD_CLR_PROFILER = '{846f5f1c-f9ae-4b07-969e-05c26bc060d8}';
const OTEL_CLR_PROFILER = '{918728dd-259f-4a6a-ac2b-b85e1b658318}';

/** Processes that carry DD_/OTEL_ settings without being instrumented apps. */
const NOT_AN_APP =
  /(?:^|\/)(?:agent|trace-agent|process-agent|system-probe|security-agent|datadog-agent|otelcol(?:-contrib|-k8s)?|otel-collector|flarewatch|sh|bash|dash|zsh|ash|env|sleep|tini|dumb-init|s6-svscan|runsv)$/;

/** The executable as argv[0] names it (process titles such as `nginx: worker process` keep their first word). */
function executable(argv: readonly string[]): string {
  return (argv[0] ?? '').split(/\s/, 1)[0] ?? '';
}

export function runtimeOf(argv: readonly string[]): Runtime {
  const title = argv[0] ?? '';
  const exe = executable(argv).split('/').pop() ?? '';
  if (/^(?:node|nodejs)\d*$/.test(exe)) return 'node';
  if (/^java$/.test(exe)) return 'jvm';
  if (
    /^python[\d.]*$/.test(exe) ||
    /^(?:gunicorn|uwsgi|uvicorn|celery|ddtrace-run|opentelemetry-instrument)$/.test(exe)
  )
    return 'python';
  if (/^(?:ruby|puma|unicorn|sidekiq|rails|bundle)$/.test(exe) || title.startsWith('puma ')) return 'ruby';
  if (/^(?:php|php-fpm[\d.]*|php-fpm:|php-cgi|apache2|httpd|frankenphp)$/.test(exe)) return 'php';
  if (exe === 'dotnet') return 'dotnet';
  if (/^(?:nginx|envoy):?$/.test(exe)) return 'native';
  return 'unknown';
}

const DD_BY_RUNTIME: Partial<Record<Runtime, TracerKey>> = {
  node: 'nodejs',
  jvm: 'java',
  python: 'python',
  ruby: 'ruby',
  php: 'php',
  dotnet: 'dotnet',
  native: 'cpp',
};
const OTEL_BY_RUNTIME: Partial<Record<Runtime, TracerKey>> = {
  node: 'otel-js',
  jvm: 'otel-java',
  python: 'otel-python',
  dotnet: 'otel-dotnet',
};

/**
 * Settings that only matter to a tracer sending traces. Not DD_API_KEY & co. (the Agent reads
 * them too), nor DD_SERVICE / DD_ENV / DD_VERSION / OTEL_SERVICE_NAME: unified service tagging
 * and the Admission Controller put those on containers that run no tracer at all.
 */
const DD_TRACER_ENV = /^(?:DD_TRACE_[A-Z_]+|DD_AGENT_HOST)$/;
const OTEL_SDK_ENV = /^OTEL_(?:EXPORTER_OTLP_[A-Z_]+|TRACES_EXPORTER)$/;

const JAVA_OPTION_VARS = ['JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS'] as const;

interface Sign {
  tracer: TracerKey | ((runtime: Runtime) => TracerKey | undefined);
  /** Returns the evidence text when this sign is present. */
  find(cmd: string, env: Env, runtime: Runtime): string | null;
}

function javaAgent(jar: RegExp, label: string): Sign['find'] {
  return (cmd, env) => {
    if (jar.test(cmd)) return `-javaagent:…${label} on the command line`;
    for (const name of JAVA_OPTION_VARS) if (jar.test(env[name] ?? '')) return `-javaagent:…${label} in ${name}`;
    return null;
  };
}

function nodeRequire(module: RegExp, label: string): Sign['find'] {
  return (cmd, env) => {
    if (module.test(env.NODE_OPTIONS ?? '')) return `NODE_OPTIONS loads ${label}`;
    if (module.test(cmd)) return `the command line loads ${label}`;
    return null;
  };
}

/**
 * Loader evidence, one entry per way a tracer gets into a process. To recognise a new
 * tracer or injection method, add an entry here (and, for a new catalogue key, its
 * endpoint resolution in resolve.ts).
 */
const LOADER_SIGNS: readonly Sign[] = [
  {
    tracer: 'nodejs',
    find: nodeRequire(
      /(?:--require[ =]|-r |--import[ =]|--loader[ =])\S*dd-trace\/(?:init|initialize|loader-hook)/,
      'dd-trace/init',
    ),
  },
  {
    tracer: 'otel-js',
    find: nodeRequire(
      /(?:--require[ =]|-r |--import[ =])\S*(?:@opentelemetry\/auto-instrumentations-node\/register|otel-auto-instrumentation-nodejs)/,
      'the OpenTelemetry auto-instrumentation',
    ),
  },
  { tracer: 'java', find: javaAgent(/-javaagent:\S*dd-java-agent[^\s/]*\.jar/, 'dd-java-agent.jar') },
  {
    tracer: 'otel-java',
    find: javaAgent(
      /-javaagent:\S*(?:opentelemetry-javaagent[^\s/]*|otel-auto-instrumentation-java\/javaagent)\.jar/,
      'opentelemetry-javaagent.jar',
    ),
  },
  {
    tracer: 'python',
    find: (cmd, env) =>
      /(?:^|[\s/])ddtrace-run(?:\s|$)/.test(cmd)
        ? 'ddtrace-run'
        : /ddtrace\/bootstrap|\/datadog-lib\b/.test(env.PYTHONPATH ?? '')
          ? 'PYTHONPATH loads ddtrace'
          : null,
  },
  {
    tracer: 'otel-python',
    find: (cmd, env) =>
      /(?:^|[\s/])opentelemetry-instrument(?:\s|$)/.test(cmd)
        ? 'opentelemetry-instrument'
        : /otel-auto-instrumentation-python|opentelemetry\/instrumentation\/auto_instrumentation/.test(
              env.PYTHONPATH ?? '',
            )
          ? 'PYTHONPATH loads the OpenTelemetry auto-instrumentation'
          : null,
  },
  {
    tracer: 'ruby',
    find: (_cmd, env) => (/datadog|ddtrace/.test(env.RUBYOPT ?? '') ? 'RUBYOPT requires datadog' : null),
  },
  {
    tracer: 'dotnet',
    find: (_cmd, env) =>
      [env.CORECLR_PROFILER, env.COR_PROFILER].some((v) => v?.toLowerCase() === DD_CLR_PROFILER)
        ? 'CORECLR_PROFILER is the Datadog profiler'
        : null,
  },
  {
    tracer: 'otel-dotnet',
    find: (_cmd, env) =>
      [env.CORECLR_PROFILER, env.COR_PROFILER].some((v) => v?.toLowerCase() === OTEL_CLR_PROFILER) ||
      (env.OTEL_DOTNET_AUTO_HOME ?? '') !== ''
        ? 'the OpenTelemetry .NET automatic instrumentation (CORECLR_PROFILER / OTEL_DOTNET_AUTO_HOME)'
        : null,
  },
  {
    // Single Step Instrumentation: the injector picks the tracer for the runtime it finds.
    tracer: (runtime) => DD_BY_RUNTIME[runtime],
    find: (_cmd, env) =>
      /datadog|apm[-/]inject/i.test(env.LD_PRELOAD ?? '') ? 'LD_PRELOAD injection (Single Step Instrumentation)' : null,
  },
];

function hasEnv(env: Env, re: RegExp): string | null {
  for (const [k, v] of Object.entries(env)) if (re.test(k) && v !== undefined && v !== '') return k;
  return null;
}

/** The tracers a process loads; empty when it is not instrumented (or not an app). */
export function recogniseTracers(argv: readonly string[], env: Env): LoadedTracer[] {
  if (argv.length === 0 || NOT_AN_APP.test(executable(argv))) return [];
  const cmd = argv.join(' ');
  const runtime = runtimeOf(argv);
  const out: LoadedTracer[] = [];
  const add = (tracer: TracerKey | undefined, evidence: string) => {
    if (tracer && !out.some((t) => t.tracer === tracer)) out.push({ tracer, evidence });
  };
  for (const sign of LOADER_SIGNS) {
    const evidence = sign.find(cmd, env, runtime);
    if (evidence) add(typeof sign.tracer === 'function' ? sign.tracer(runtime) : sign.tracer, evidence);
  }
  if (out.length > 0) return out;
  // No loader: a known runtime configured for a tracer initialises it in code.
  const dd = hasEnv(env, DD_TRACER_ENV);
  if (dd) add(DD_BY_RUNTIME[runtime], `${dd} set on a ${runtime} process`);
  const otel = hasEnv(env, OTEL_SDK_ENV);
  if (otel) add(OTEL_BY_RUNTIME[runtime], `${otel} set on a ${runtime} process`);
  return out;
}
