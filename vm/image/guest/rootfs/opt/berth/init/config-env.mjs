// Turns the machine's configuration (the JSON the host passes through fw_cfg) into shell assignments
// for the boot scripts, checking each value on the way: a hostname or a path is never pasted into a
// script unquoted, and a configuration that does not make sense fails here with the field's name.
// Usage: node config-env.mjs FILE > config.env
import { readFileSync } from 'node:fs';

/** Single-quotes a value for sh: nothing is special inside but the quote itself. */
export function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** The shell variables of a configuration object (throws on a field of the wrong shape). */
export function configEnv(config) {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error('the configuration is not a JSON object');
  }
  const env = {};
  const hostname = config.hostname ?? 'berth';
  if (typeof hostname !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(hostname)) {
    throw new Error(`hostname: ${JSON.stringify(hostname)} is not a host name`);
  }
  env.BERTH_HOSTNAME = hostname;
  const key = config.sshAuthorizedKey ?? '';
  if (typeof key !== 'string' || /[\r\n]/.test(key)) throw new Error('sshAuthorizedKey: not one line');
  env.BERTH_SSH_KEY = key;
  if (config.timeMs !== undefined && config.timeMs !== null) {
    if (!Number.isFinite(config.timeMs) || config.timeMs < 0) throw new Error('timeMs: not a time');
    env.BERTH_TIME_S = Math.floor(config.timeMs / 1000);
  }
  const share = config.share ?? null;
  if (share !== null) {
    if (typeof share !== 'object') throw new Error('share: not an object or null');
    const type = share.type ?? '9p';
    if (type !== '9p' && type !== 'virtiofs')
      throw new Error(`share.type: ${JSON.stringify(type)} (9p or virtiofs)`);
    if (typeof share.tag !== 'string' || !/^[A-Za-z0-9_.-]{1,31}$/.test(share.tag)) {
      throw new Error(`share.tag: ${JSON.stringify(share.tag)} is not a mount tag`);
    }
    if (
      typeof share.path !== 'string' ||
      !share.path.startsWith('/') ||
      share.path.split('/').includes('..')
    ) {
      throw new Error(`share.path: ${JSON.stringify(share.path)} is not an absolute path`);
    }
    env.BERTH_SHARE_TYPE = type;
    env.BERTH_SHARE_TAG = share.tag;
    env.BERTH_SHARE_PATH = share.path;
  }
  env.BERTH_KUBERNETES = config.kubernetes === true ? 'true' : 'false';
  const port = config.dockerTcpPort ?? 2375;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`dockerTcpPort: ${port} is not a port`);
  env.BERTH_DOCKER_TCP_PORT = port;
  return env;
}

export function renderEnv(env) {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
    .join('');
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  try {
    process.stdout.write(renderEnv(configEnv(JSON.parse(readFileSync(process.argv[2], 'utf8')))));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
