import { describe, expect, it } from 'vitest';
import { recogniseTracers, runtimeOf } from '../../src/discover/recognise.js';

const tracers = (argv: string[], env: Record<string, string> = {}) => recogniseTracers(argv, env).map((t) => t.tracer);

describe('recognising tracers from a command line and an environment', () => {
  it('Node.js: dd-trace and OpenTelemetry loaded through NODE_OPTIONS or the command line', () => {
    expect(recogniseTracers(['node', 'server.js'], { NODE_OPTIONS: '--require dd-trace/init' })).toEqual([
      { tracer: 'nodejs', evidence: 'NODE_OPTIONS loads dd-trace/init' },
    ]);
    expect(tracers(['node', '--require=/datadog-lib/node_modules/dd-trace/init', 'app.js'])).toEqual(['nodejs']);
    expect(tracers(['/usr/local/bin/node', '--import', 'dd-trace/initialize.mjs', 'app.mjs'])).toEqual(['nodejs']);
    expect(
      tracers(['node', 'app.js'], {
        NODE_OPTIONS: ' --require /otel-auto-instrumentation-nodejs/autoinstrumentation.js',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      }),
    ).toEqual(['otel-js']);
    expect(tracers(['node', '-r', '@opentelemetry/auto-instrumentations-node/register', 'app.js'])).toEqual([
      'otel-js',
    ]);
    // Merely mentioning the package (a script argument) is not loading it.
    expect(tracers(['node', 'install.js', 'dd-trace/init'])).toEqual([]);
    expect(tracers(['node', '--require', '@opentelemetry/auto-instrumentations-node/register', 'app.js'])).toEqual([
      'otel-js',
    ]);
  });

  it('Java: the agent jar on the command line or in JAVA_TOOL_OPTIONS', () => {
    expect(recogniseTracers(['java', '-javaagent:/opt/dd/dd-java-agent.jar', '-jar', 'app.jar'], {})).toEqual([
      { tracer: 'java', evidence: '-javaagent:…dd-java-agent.jar on the command line' },
    ]);
    expect(
      recogniseTracers(['java', '-jar', 'app.jar'], {
        JAVA_TOOL_OPTIONS: '-javaagent:/otel-auto-instrumentation-java/javaagent.jar',
      }),
    ).toEqual([{ tracer: 'otel-java', evidence: '-javaagent:…opentelemetry-javaagent.jar in JAVA_TOOL_OPTIONS' }]);
    expect(tracers(['java', '-javaagent:/x/opentelemetry-javaagent-2.9.0.jar', 'Main'])).toEqual(['otel-java']);
    expect(tracers(['java', '-javaagent:/x/jolokia.jar', 'Main'])).toEqual([]);
  });

  it('Python, Ruby, .NET and Single Step Instrumentation', () => {
    expect(tracers(['/usr/bin/python3', '/usr/local/bin/ddtrace-run', 'gunicorn', 'app:app'])).toEqual(['python']);
    expect(tracers(['python3', 'app.py'], { PYTHONPATH: '/datadog-lib:/app' })).toEqual(['python']);
    expect(tracers(['/usr/local/bin/opentelemetry-instrument', 'python', 'app.py'])).toEqual(['otel-python']);
    expect(
      tracers(['python', 'app.py'], {
        PYTHONPATH:
          '/otel-auto-instrumentation-python/opentelemetry/instrumentation/auto_instrumentation:/otel-auto-instrumentation-python',
      }),
    ).toEqual(['otel-python']);
    expect(tracers(['ruby', 'bin/rails', 's'], { RUBYOPT: '-r/datadog-lib/auto_inject' })).toEqual(['ruby']);
    expect(
      tracers(['dotnet', 'App.dll'], {
        CORECLR_ENABLE_PROFILING: '1',
        CORECLR_PROFILER: '{846F5F1C-F9AE-4B07-969E-05C26BC060D8}',
      }),
    ).toEqual(['dotnet']);
    expect(tracers(['dotnet', 'App.dll'], { CORECLR_PROFILER: '{918728DD-259F-4A6A-AC2B-B85E1B658318}' })).toEqual([
      'otel-dotnet',
    ]);
    expect(
      recogniseTracers(['php-fpm: pool www'], {
        LD_PRELOAD: '/opt/datadog-packages/datadog-apm-inject/stable/inject/launcher.preload.so',
      }),
    ).toEqual([{ tracer: 'php', evidence: 'LD_PRELOAD injection (Single Step Instrumentation)' }]);
  });

  it('a runtime with tracer settings in its environment initialises the SDK in code', () => {
    expect(
      recogniseTracers(['node', 'app.js'], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toEqual([{ tracer: 'otel-js', evidence: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set on a node process' }]);
    expect(tracers(['java', '-jar', 'app.jar'], { DD_AGENT_HOST: '10.0.0.7', DD_ENV: 'prod' })).toEqual(['java']);
    expect(
      tracers(['node', 'app.js'], {
        DD_TRACE_AGENT_URL: 'http://a:8126',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      }),
    ).toEqual(['nodejs', 'otel-js']);
    // Service tags alone are put on containers that run no tracer.
    expect(tracers(['node', 'app.js'], { DD_SERVICE: 'a', DD_ENV: 'b', OTEL_SERVICE_NAME: 'c' })).toEqual([]);
  });

  it('is not fooled by processes that carry the settings without a tracer', () => {
    // The Agent, the Collector, shells and flarewatch itself.
    expect(tracers(['/opt/datadog-agent/bin/agent/agent', 'run'], { DD_API_KEY: 'x', DD_AGENT_HOST: 'a' })).toEqual([]);
    expect(tracers(['/opt/datadog-agent/embedded/bin/trace-agent'], { DD_AGENT_HOST: 'a' })).toEqual([]);
    expect(tracers(['/otelcol-contrib', '--config', 'c.yaml'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' })).toEqual(
      [],
    );
    expect(tracers(['bash'], { DD_AGENT_HOST: 'a', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c' })).toEqual([]);
    // DD_API_KEY alone is not a tracer setting; an unknown native binary is not guessed at.
    expect(tracers(['node', 'app.js'], { DD_API_KEY: 'k' })).toEqual([]);
    expect(tracers(['./server'], { DD_TRACE_AGENT_URL: 'http://a:8126' })).toEqual([]);
    expect(tracers([], { DD_SERVICE: 'x' })).toEqual([]);
  });

  it('names the runtime from the executable', () => {
    expect(runtimeOf(['/usr/bin/node'])).toBe('node');
    expect(runtimeOf(['/usr/lib/jvm/bin/java'])).toBe('jvm');
    expect(runtimeOf(['python3.12'])).toBe('python');
    expect(runtimeOf(['puma 6.4.0 (tcp://0.0.0.0:3000) [app]'])).toBe('ruby');
    expect(runtimeOf(['php-fpm: pool www'])).toBe('php');
    expect(runtimeOf(['nginx: worker process'])).toBe('native');
    expect(runtimeOf(['./server'])).toBe('unknown');
  });
});
