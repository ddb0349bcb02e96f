// Default locations for flarewatch's own state. Root gets the FHS place a systemd unit's
// StateDirectory= uses; everyone else gets the XDG state directory so `npm start` needs no sudo.
import { join } from 'node:path';

export function defaultBaseDir(env: Record<string, string | undefined>, uid: number, home: string): string {
  if (uid === 0) return '/var/lib/flarewatch';
  const xdg = env.XDG_STATE_HOME?.trim();
  // XDG says relative values are invalid and must be ignored.
  if (xdg?.startsWith('/')) return join(xdg, 'flarewatch');
  return join(home, '.local', 'state', 'flarewatch');
}
