// The machine's configuration as the guest's boot scripts read it: shell assignments (BERTH_*), made
// here and passed through fw_cfg `opt/berth/config.env`, which boot.sh copies and sources. The host
// checks each value on the way (a hostname or a path is never pasted into a script unquoted; a value
// that does not make sense is refused with its field's name), so the guest needs no program of its
// own to read it: under TCG, a Node started for that alone cost the boot about a second.
import { shellQuote } from '../../native/core/spawner.ts';
import type { GuestConfig } from './machine-dir.ts';
import { MachineError } from './types.ts';

const refuse = (why: string) => new MachineError('config.invalid', `the machine configuration: ${why}`);

/** The shell variables of a configuration (throws a MachineError naming the field that is wrong). */
function guestEnvVars(config: GuestConfig): Record<string, string> {
  const env: Record<string, string> = {};
  const hostname = config.hostname || 'berth';
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(hostname)) {
    throw refuse(`hostname: ${JSON.stringify(hostname)} is not a host name`);
  }
  env.BERTH_HOSTNAME = hostname;
  if (/[\r\n]/.test(config.sshAuthorizedKey)) throw refuse('sshAuthorizedKey: not one line');
  env.BERTH_SSH_KEY = config.sshAuthorizedKey;
  if (!Number.isFinite(config.timeMs) || config.timeMs < 0)
    throw refuse(`timeMs: ${config.timeMs} is not a time`);
  env.BERTH_TIME_S = String(Math.floor(config.timeMs / 1000));
  const share = config.share;
  if (share) {
    if (share.type !== '9p' && share.type !== 'virtiofs') {
      throw refuse(`share.type: ${JSON.stringify(share.type)} (9p or virtiofs)`);
    }
    if (!/^[A-Za-z0-9_.-]{1,31}$/.test(share.tag))
      throw refuse(`share.tag: ${JSON.stringify(share.tag)} is not a mount tag`);
    if (!share.path.startsWith('/') || share.path.split('/').includes('..') || /[\0\n]/.test(share.path)) {
      throw refuse(`share.path: ${JSON.stringify(share.path)} is not an absolute path`);
    }
    env.BERTH_SHARE_TYPE = share.type;
    env.BERTH_SHARE_TAG = share.tag;
    env.BERTH_SHARE_PATH = share.path;
  }
  env.BERTH_KUBERNETES = config.kubernetes ? 'true' : 'false';
  const port = config.dockerTcpPort;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw refuse(`dockerTcpPort: ${port} is not a port`);
  env.BERTH_DOCKER_TCP_PORT = String(port);
  return env;
}

/** The file boot.sh sources: one `NAME='value'` line per variable. */
export function guestEnv(config: GuestConfig): string {
  return Object.entries(guestEnvVars(config))
    .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
    .join('');
}
