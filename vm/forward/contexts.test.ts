import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  dockerContextMetaPath,
  kubeEntriesFromAdmin,
  mergeKubeconfig,
  writeDockerContext,
  writeKubeconfig,
} from './contexts.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'bf-ctx-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('docker context berth', () => {
  test('is what `docker context create` writes, and the CLI lists it without switching to it', async () => {
    const mine = path.join(tmp, 'docker-mine');
    const theirs = path.join(tmp, 'docker-theirs');
    const env = { DOCKER_CONFIG: mine };
    cli('docker', ['context', 'create', 'work', '--docker', 'host=tcp://127.0.0.1:2376'], env);
    cli('docker', ['context', 'use', 'work'], env);
    const configBefore = readFileSync(path.join(mine, 'config.json'), 'utf8');
    const sock = path.join(tmp, 'run', 'docker.sock');
    await writeDockerContext(mine, sock);
    cli(
      'docker',
      ['context', 'create', 'berth', '--description', 'Berth', '--docker', `host=unix://${sock}`],
      {
        DOCKER_CONFIG: theirs,
      },
    );
    assert.equal(
      readFileSync(dockerContextMetaPath(mine), 'utf8'),
      readFileSync(dockerContextMetaPath(theirs), 'utf8'),
    );
    assert.equal(readFileSync(path.join(mine, 'config.json'), 'utf8'), configBefore, 'config.json untouched');
    const ls = cli(
      'docker',
      ['context', 'ls', '--format', '{{.Name}} {{.Current}} {{.DockerEndpoint}}'],
      env,
    );
    assert.match(ls, new RegExp(`^berth false unix://${sock}$`, 'm'));
    assert.match(ls, /^work true tcp:\/\/127\.0\.0\.1:2376$/m);
  });

  test('with use, becomes the current context; config.json keeps its other keys and their order', async () => {
    const dir = path.join(tmp, 'docker-use');
    const cfg = path.join(dir, 'config.json');
    await writeDockerContext(dir, '/x/docker.sock'); // makes the directory
    writeFileSync(
      cfg,
      JSON.stringify({ auths: { 'r.example': { auth: 'eA==' } }, psFormat: 'table {{.ID}}' }),
      {
        mode: 0o640,
      },
    );
    await writeDockerContext(dir, '/x/docker.sock', { use: true });
    const after = JSON.parse(readFileSync(cfg, 'utf8'));
    assert.deepEqual(Object.keys(after), ['auths', 'psFormat', 'currentContext']);
    assert.deepEqual(after.auths, { 'r.example': { auth: 'eA==' } });
    assert.equal(statSync(cfg).mode & 0o777, 0o640);
    assert.equal(cli('docker', ['context', 'show'], { DOCKER_CONFIG: dir }).trim(), 'berth');
  });
});

const adminKubeconfig = `apiVersion: v1
kind: Config
clusters:
  - name: berth
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority-data: Q0E=
users:
  - name: berth
    user:
      client-certificate-data: Q0VSVA==
      client-key-data: S0VZ
contexts:
  - name: berth
    context:
      cluster: berth
      user: berth
current-context: berth
preferences: {}
`;

const userKubeconfig = `# my clusters: keep this comment
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://prod.example:443   # production
  name: prod
contexts:
- context:
    cluster: prod
    user: me
  name: prod
current-context: prod
users:
- name: me
  user:
    token: abc
preferences: {}
`;

describe('kubeconfig context berth', () => {
  const entries = kubeEntriesFromAdmin(adminKubeconfig, 'https://127.0.0.1:16443');

  test('takes the CA and client certificate from the guest, with the host’s forwarded server', () => {
    assert.deepEqual(entries, {
      cluster: { server: 'https://127.0.0.1:16443', 'certificate-authority-data': 'Q0E=' },
      user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' },
    });
  });

  test('is added without rewriting, reordering or switching the user’s entries', async () => {
    const file = path.join(tmp, 'kube', 'config');
    await writeKubeconfig(file, { cluster: {}, user: {} }); // a new file: 0600, berth current (nothing else)
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileSync(file, userKubeconfig);
    await writeKubeconfig(file, entries);
    const merged = readFileSync(file, 'utf8');
    // The user's text is all there, in its order; only berth entries were added.
    // Every line of the user's file is still there, in its order (yaml keeps a comment but writes one
    // space before it), and the lines added are the berth entries'.
    const norm = (t: string) => t.replace(/ +#/g, ' #').split('\n');
    const mergedLines = norm(merged);
    let at = 0;
    for (const line of norm(userKubeconfig)) {
      const found = mergedLines.indexOf(line, at);
      assert.ok(found >= 0, `the user's line ${JSON.stringify(line)} is kept, in order`);
      at = found + 1;
    }
    assert.equal(mergedLines.length - norm(userKubeconfig).length, 12, merged);
    assert.equal((merged.match(/name: berth/g) ?? []).length, 3);
    const env = { KUBECONFIG: file };
    assert.equal(cli('kubectl', ['config', 'current-context'], env).trim(), 'prod');
    assert.deepEqual(cli('kubectl', ['config', 'get-contexts', '-o', 'name'], env).trim().split('\n'), [
      'berth',
      'prod',
    ]);
    assert.equal(
      cli(
        'kubectl',
        ['config', 'view', '--raw', '-o', 'jsonpath={.users[?(@.name=="berth")].user.client-key-data}'],
        env,
      ),
      'S0VZ',
    );
    // Again: nothing changes; with use, only current-context does.
    assert.equal(mergeKubeconfig(merged, entries), merged);
    await writeKubeconfig(file, entries, { use: true });
    assert.equal(cli('kubectl', ['config', 'current-context'], env).trim(), 'berth');
    assert.equal(
      readFileSync(file, 'utf8'),
      merged.replace('current-context: prod', 'current-context: berth'),
    );
  });
});
