// The configuration the host writes for the guest's boot scripts, sourced by the shells the guest has
// (sh and busybox sh): every value reads back exactly as it was, whatever quotes or `$` it holds, and a
// value that does not make sense is refused with its field's name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { guestEnv } from './guest-env.ts';
import type { GuestConfig } from './machine-dir.ts';

const vars = [
  'BERTH_HOSTNAME',
  'BERTH_SSH_KEY',
  'BERTH_TIME_S',
  'BERTH_SHARE_TYPE',
  'BERTH_SHARE_TAG',
  'BERTH_SHARE_PATH',
  'BERTH_KUBERNETES',
  'BERTH_DOCKER_TCP_PORT',
];

/** Sources the file in `shell` (as boot.sh does) and prints the variables back. */
function readBack(shell: string[], env: string): Record<string, string> {
  const script = `${env}\nfor v in ${vars.join(' ')}; do eval "printf '%s=%s\\0' \\$v \\"\\$$v\\""; done`;
  const r = spawnSync(shell[0], [...shell.slice(1), '-c', script], { encoding: 'utf8', env: {} });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(
    r.stdout
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

const base: GuestConfig = {
  hostname: 'berth',
  sshAuthorizedKey: 'ssh-ed25519 AAAA k',
  timeMs: 1764750000999,
  share: null,
  kubernetes: false,
  dockerTcpPort: 2375,
};

test('the machine configuration becomes shell variables that read back exactly', () => {
  const env = guestEnv({
    ...base,
    sshAuthorizedKey: "ssh-ed25519 AAAAC3Nza berth-host it's $HOME `id`",
    share: { tag: 'home', path: "/home/al ice/it's $x", type: '9p' },
    kubernetes: true,
    dockerTcpPort: 2376,
  });
  for (const shell of [['sh'], ['busybox', 'sh']]) {
    assert.deepEqual(readBack(shell, env), {
      BERTH_HOSTNAME: 'berth',
      BERTH_SSH_KEY: "ssh-ed25519 AAAAC3Nza berth-host it's $HOME `id`",
      BERTH_TIME_S: '1764750000',
      BERTH_SHARE_TYPE: '9p',
      BERTH_SHARE_TAG: 'home',
      BERTH_SHARE_PATH: "/home/al ice/it's $x",
      BERTH_KUBERNETES: 'true',
      BERTH_DOCKER_TCP_PORT: '2376',
    });
  }
});

test('no share: its variables are empty; Kubernetes off', () => {
  const back = readBack(['busybox', 'sh'], guestEnv(base));
  assert.equal(back.BERTH_SHARE_PATH, '');
  assert.equal(back.BERTH_SHARE_TYPE, '');
  assert.equal(back.BERTH_KUBERNETES, 'false');
  assert.equal(back.BERTH_DOCKER_TCP_PORT, '2375');
});

test('a configuration that does not make sense is refused with the field it is about', () => {
  const cases: Array<[Partial<GuestConfig>, RegExp]> = [
    [{ hostname: 'a;reboot' }, /hostname: "a;reboot" is not a host name/],
    [{ sshAuthorizedKey: 'ssh-ed25519 A\nssh-rsa B' }, /sshAuthorizedKey: not one line/],
    [{ share: { tag: 'home', path: 'relative', type: '9p' } }, /share.path/],
    [{ share: { tag: 'home', path: '/a/../etc', type: '9p' } }, /share.path/],
    [{ share: { tag: 'h o m e', path: '/home', type: '9p' } }, /share.tag/],
    [{ share: { tag: 'home', path: '/home', type: 'nfs' as '9p' } }, /share.type/],
    [{ dockerTcpPort: 70000 }, /dockerTcpPort: 70000 is not a port/],
    [{ timeMs: Number.NaN }, /timeMs/],
  ];
  for (const [change, why] of cases) {
    assert.throws(
      () => guestEnv({ ...base, ...change }),
      (err: Error & { code?: string }) => err.code === 'config.invalid' && why.test(err.message),
      JSON.stringify(change),
    );
  }
});
