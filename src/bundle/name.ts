// Bundle file names: flarewatch-<hostname>-<UTC timestamp>-<reason>.zip. Retention and
// `inspect` recognise bundles by this pattern; temp directories use a dot prefix so nothing
// that lists bundles ever sees a half-written one.
export const BUNDLE_PREFIX = 'flarewatch-';
export const TEMP_PREFIX = '.flarewatch-tmp-';
export const BUNDLE_NAME = /^flarewatch-.+-\d{8}T\d{6}Z-[A-Za-z0-9_.-]+(?:-\d+)?\.zip$/;

const safe = (s: string, fallback: string) =>
  s
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, 63) || fallback;

export function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function bundleFileName(hostname: string, created: Date, reason: string, suffix = 0): string {
  return `${BUNDLE_PREFIX}${safe(hostname, 'host')}-${utcStamp(created)}-${safe(reason, 'manual')}${suffix ? `-${suffix}` : ''}.zip`;
}
