// The documentation pages remedies cite, in one place so a moved page is one edit.
import type { DocLink } from './finding.js';

const dd = (path: string, title: string): DocLink => ({ title, url: `https://docs.datadoghq.com${path}` });
const otel = (path: string, title: string): DocLink => ({ title, url: `https://opentelemetry.io${path}` });

export const DOCS = {
  connectionErrors: dd('/tracing/troubleshooting/connection_errors/', 'APM connection errors'),
  startupLogs: dd('/tracing/troubleshooting/tracer_startup_logs/', 'Tracer startup logs'),
  agentTroubleshooting: dd('/agent/troubleshooting/', 'Agent troubleshooting'),
  agentProxy: dd('/agent/configuration/proxy/', 'Agent proxy configuration'),
  tracesApi: dd('/tracing/guide/send_traces_to_agent_by_api/', 'Send traces to the Agent by API'),
  dockerApm: dd('/containers/docker/apm/', 'Tracing Docker applications'),
  kubernetesApm: dd('/containers/kubernetes/apm/', 'Kubernetes trace collection'),
  admissionController: dd('/containers/cluster_agent/admission_controller/', 'Cluster Agent Admission Controller'),
  ecsApm: dd('/containers/amazon_ecs/apm/', 'Tracing ECS applications'),
  ecsFargate: dd('/integrations/ecs_fargate/', 'Amazon ECS on AWS Fargate'),
  eksFargate: dd('/integrations/eks_fargate/', 'Amazon EKS on AWS Fargate'),
  beanstalk: dd('/integrations/amazon_elasticbeanstalk/', 'AWS Elastic Beanstalk'),
  phpConfig: dd('/tracing/trace_collection/library_config/php/', 'Configuring the PHP tracing library'),
  ntp: dd('/agent/troubleshooting/ntp/', 'NTP offset issues'),
  networkPolicy: {
    title: 'Kubernetes Network Policies',
    url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
  },
  otelOperatorTroubleshooting: otel(
    '/docs/platforms/kubernetes/operator/troubleshooting/automatic/',
    'Troubleshooting OpenTelemetry Operator auto-instrumentation',
  ),
  otelOperatorAuto: otel(
    '/docs/platforms/kubernetes/operator/automatic/',
    'OpenTelemetry Operator auto-instrumentation',
  ),
  otlpExporterConfig: otel('/docs/languages/sdk-configuration/otlp-exporter/', 'OTLP exporter configuration'),
  collectorTroubleshooting: otel('/docs/collector/troubleshooting/', 'Collector troubleshooting'),
  inotify: { title: 'inotify(7): /proc interfaces', url: 'https://man7.org/linux/man-pages/man7/inotify.7.html' },
} as const satisfies Record<string, DocLink>;
