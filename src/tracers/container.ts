// Container runtime logs: where it writes, what its lines look like, and the wordings that say it
// could not deliver (one rule per message family, each with its source).
import type { TracerModule } from './types.js';

export const container: TracerModule<'container'> = {
  key: 'container',
  name: 'Container runtime logs (CRI and Docker json-file): stdout/stderr of every tracer above',
  vendor: 'runtime',
  defaultSink: 'kubelet/containerd/CRI-O write CRI files; Docker writes json-file logs',
  stdoutOnly: false,
  defaultLogs: [
    {
      placement: 'container-host',
      dir: '/var/log/pods',
      globs: ['*/*/*.log'],
      format: 'cri',
      note: 'one directory per pod and container',
    },
    {
      placement: 'container-host',
      dir: '/var/log/containers',
      globs: ['*.log'],
      format: 'cri',
      note: 'symlinks into /var/log/pods; used when that is not readable',
    },
    {
      placement: 'container-host',
      dir: '/var/lib/docker/containers',
      globs: ['*/*-json.log', '*/*-json.log.1'],
      format: 'docker-json',
    },
  ],
  logSettings: [],
  fileNames: [],
  configFiles: [{ path: '/etc/docker/daemon.json', placement: 'linux', format: 'json' }],
  configFileSettings: [],
  envNames: ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'],
  envPrefixes: [],
  secretEnvNames: [],
  prefixes: [],
  aliases: [],
  colour: '#94a3b8',
  rules: [],
};
