// Which platform this process runs on, from env markers and well-known files. Pure: the
// caller passes the env and a file-existence test, so tests describe platforms as data.
import type { PlatformEvidence } from './evidence.js';

export interface PlatformProbeFs {
  exists(path: string): boolean;
  /** Contents of a small file (e.g. /proc/1/cgroup), or null. */
  read(path: string): string | null;
}

export function detectPlatform(env: Record<string, string | undefined>, fs: PlatformProbeFs): PlatformEvidence {
  const signals: string[] = [];
  const has = (name: string) => (env[name] ?? '').trim() !== '';
  if (has('KUBERNETES_SERVICE_HOST') || fs.exists('/var/run/secrets/kubernetes.io/serviceaccount')) {
    signals.push(
      has('KUBERNETES_SERVICE_HOST') ? 'KUBERNETES_SERVICE_HOST' : '/var/run/secrets/kubernetes.io/serviceaccount',
    );
    if ((env.DD_EKS_FARGATE ?? '').toLowerCase() === 'true')
      return { kind: 'eks-fargate', signals: [...signals, 'DD_EKS_FARGATE=true'] };
    return { kind: 'kubernetes', signals };
  }
  if (has('ECS_CONTAINER_METADATA_URI_V4') || has('ECS_CONTAINER_METADATA_URI')) {
    signals.push(has('ECS_CONTAINER_METADATA_URI_V4') ? 'ECS_CONTAINER_METADATA_URI_V4' : 'ECS_CONTAINER_METADATA_URI');
    if (env.AWS_EXECUTION_ENV === 'AWS_ECS_FARGATE')
      return { kind: 'ecs-fargate', signals: [...signals, 'AWS_EXECUTION_ENV=AWS_ECS_FARGATE'] };
    return {
      kind: 'ecs-ec2',
      signals: env.AWS_EXECUTION_ENV ? [...signals, `AWS_EXECUTION_ENV=${env.AWS_EXECUTION_ENV}`] : signals,
    };
  }
  if (fs.exists('/opt/elasticbeanstalk')) return { kind: 'beanstalk', signals: ['/opt/elasticbeanstalk'] };
  if (fs.exists('/.dockerenv')) return { kind: 'docker', signals: ['/.dockerenv'] };
  if (fs.exists('/run/.containerenv')) return { kind: 'docker', signals: ['/run/.containerenv'] };
  const cgroup = (fs.read('/proc/1/cgroup') ?? '').slice(0, 16 * 1024);
  // kubepods wins: pods also run under containerd or docker.
  if (/\bkubepods/.test(cgroup)) return { kind: 'kubernetes', signals: ['/proc/1/cgroup mentions kubepods'] };
  const m = /\b(docker|containerd|libpod)\b/.exec(cgroup);
  if (m) return { kind: 'docker', signals: [`/proc/1/cgroup mentions ${m[1]}`] };
  return { kind: 'host', signals: [] };
}
