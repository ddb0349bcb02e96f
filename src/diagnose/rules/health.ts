// flarewatch's own health: a clock far from the Agent's (timelines and trace timestamps
// stop lining up), a bundle directory about to fill up, an exhausted inotify budget.
import { DOCS } from '../docs.js';
import type { Evidence } from '../evidence.js';
import type { Finding } from '../finding.js';
import { formatBytes } from '../../util/bytes.js';

export const CLOCK_SKEW_WARN_MS = 15_000;

export function clockSkew(e: Evidence): Finding[] {
  const s = e.health.clockSkew;
  if (!s || Math.abs(s.ms) < CLOCK_SKEW_WARN_MS) return [];
  const secs = Math.round(Math.abs(s.ms) / 1000);
  return [
    {
      id: 'clock-skew',
      severity: 'warning',
      title: `This host's clock is ${secs} s ${s.ms > 0 ? 'ahead of' : 'behind'} ${s.reference}`,
      evidence: [{ source: 'host', detail: `local − ${s.reference} = ${s.ms} ms` }],
      remedy: {
        text: 'Synchronise the clock (chrony or systemd-timesyncd against an NTP source); skewed clocks misplace traces and make log timelines disagree.',
        doc: DOCS.ntp,
      },
    },
  ];
}

export function diskSpace(e: Evidence): Finding[] {
  const d = e.health.bundleDir;
  if (!d || d.totalBytes <= 0) return [];
  const needed = d.neededBytes ?? 0;
  const ratio = d.freeBytes / d.totalBytes;
  const evidence = [
    {
      source: 'host' as const,
      detail: `${d.path}: ${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)}${needed ? `; one bundle may need ${formatBytes(needed)}` : ''}`,
    },
  ];
  if (needed > 0 && d.freeBytes < needed) {
    return [
      {
        id: 'bundle-disk-full',
        severity: 'error',
        title: `The bundle directory cannot hold another bundle (${formatBytes(d.freeBytes)} free)`,
        evidence,
        remedy: {
          text: 'Free space or move FLAREWATCH_BUNDLE_DIR to a larger volume; lower FLAREWATCH_MAX_BUNDLE_BYTES if space is tight.',
          doc: DOCS.agentTroubleshooting,
        },
      },
    ];
  }
  if (ratio < 0.05 || (needed > 0 && d.freeBytes < 2 * needed)) {
    return [
      {
        id: 'bundle-disk-low',
        severity: 'warning',
        title: `The bundle directory's volume is almost full (${(ratio * 100).toFixed(1)} % free)`,
        evidence,
        remedy: {
          text: 'Free space on the volume or move FLAREWATCH_BUNDLE_DIR elsewhere before the next incident needs a bundle.',
          doc: DOCS.agentTroubleshooting,
        },
      },
    ];
  }
  return [];
}

export function inotifyBudget(e: Evidence): Finding[] {
  const i = e.health.inotify;
  if (!i) return [];
  const usedW = i.watchesInUse;
  const exhausted =
    (i.enospc ?? 0) > 0 ||
    (i.maxUserInstances !== undefined && i.instancesInUse !== undefined && i.instancesInUse >= i.maxUserInstances);
  const near = usedW !== undefined && i.maxUserWatches > 0 && usedW / i.maxUserWatches >= 0.9;
  if (!exhausted && !near) return [];
  const parts = [`max_user_watches ${i.maxUserWatches}`];
  if (usedW !== undefined) parts.push(`${usedW} watches in use`);
  if (i.maxUserInstances !== undefined)
    parts.push(
      `max_user_instances ${i.maxUserInstances}${i.instancesInUse !== undefined ? `, ${i.instancesInUse} in use` : ''}`,
    );
  if (i.enospc) parts.push(`${i.enospc} ENOSPC errors adding watches`);
  return [
    {
      id: 'inotify-exhausted',
      severity: exhausted ? 'error' : 'warning',
      title: exhausted
        ? 'The inotify budget is exhausted: new log files may go unnoticed'
        : 'The inotify budget is nearly used up',
      evidence: [{ source: 'host', detail: parts.join('; ') }],
      remedy: {
        text: 'Raise the limits (`sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512`, persisted in /etc/sysctl.d/) or set FLAREWATCH_POLLING=true.',
        doc: DOCS.inotify,
      },
    },
  ];
}
