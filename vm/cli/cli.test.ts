import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ForwarderEvent, HostForwarderOptions } from '../forward/forwarder.ts';
import { FakeHost } from '../machine/fake-host.ts';
import {
  type DriverSink,
  type MachineEndpoint,
  MachineManager,
  type MachineSettings,
  type VmDriver,
  type VmSession,
} from '../machine/index.ts';
import { Agent, type AgentEvent, controlHandler, type ForwarderLike, guestResetCluster } from './agent.ts';
import { parseArgs } from './args.ts';
import { ControlClient, serveControl } from './control.ts';
import { describeEvent, describeStatus, main } from './main.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('arguments: flags in both forms, settings checked, unknown words refused as the docker CLI does', () => {
  const a = parseArgs([
    'start',
    '--provider=qemu',
    '--cpus',
    '4',
    '--memory=4096',
    '--kubernetes',
    '--retry-accel',
  ]);
  assert.equal(a.command, 'start');
  assert.equal(a.provider, 'qemu');
  assert.deepEqual(a.settings, { cpus: 4, memoryMiB: 4096, kubernetes: true });
  assert.equal(a.retryAccel, true);
  assert.deepEqual(parseArgs(['ssh', '--', 'uname', '-r']).rest, ['uname', '-r']);
  assert.deepEqual(parseArgs(['logs', '-f', '-n', '20']).follow, true);
  assert.deepEqual(parseArgs(['config', 'set', 'cpus=2']).rest, ['set', 'cpus=2']);
  assert.equal(parseArgs(['start', '--kubernetes=false']).settings.kubernetes, false);
  assert.equal(parseArgs(['reset', '--cluster']).cluster, true);
  assert.equal(parseArgs(['reset']).cluster, false);
  assert.equal(parseArgs([]).command, 'help');
  assert.throws(() => parseArgs(['launch']), /unknown command "launch" for "berth"/);
  assert.throws(() => parseArgs(['start', '--provider', 'vbox']), /one of qemu, native, wsl/);
  assert.throws(() => parseArgs(['start', '--cpus', '0']), /positive whole number/);
  assert.throws(() => parseArgs(['start', '--bogus']), /unknown flag: --bogus/);
  assert.throws(() => parseArgs(['start', '--disk']), /flag needs an argument: --disk/);
});

test('berth version: the package’s version, known without a package.json (a packaged app has none beside it)', async () => {
  const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as {
    version: string;
  };
  const printed: string[] = [];
  assert.equal(await main(['version'], (l) => printed.push(l)), 0);
  assert.deepEqual(printed, [`berth ${pkg.version}`]);
});

test('the control socket: 0600, requests answered by id, events streamed, bad lines answered', async () => {
  const socket = path.join(dir, 'agent.sock');
  const server = await serveControl(socket, async (req, send, closed) => {
    if (req.cmd === 'status') return { state: 'running' };
    if (req.cmd === 'events') {
      send({ n: 1 });
      send({ n: 2 });
      await closed;
      return null;
    }
    throw new Error(`unknown command "${req.cmd}"`);
  });
  try {
    const { statSync } = await import('node:fs');
    assert.equal((statSync(socket).mode & 0o777).toString(8), '600');
    const client = (await ControlClient.connect(socket))!;
    const events: unknown[] = [];
    client.onEvent((e) => events.push(e));
    void client.request('events').catch(() => undefined);
    assert.deepEqual(await client.request('status'), { state: 'running' });
    await assert.rejects(client.request('restart'), /unknown command "restart"/);
    for (let i = 0; i < 50 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(events, [{ n: 1 }, { n: 2 }]);
    client.close();
    const raw = await new Promise<string>((resolve) => {
      const c = net.connect(socket, () => c.write('not json\n{"cmd":"status"}\n'));
      let got = '';
      c.on('data', (d) => {
        got += d;
        if (got.split('\n').length > 2) {
          c.destroy();
          resolve(got);
        }
      });
    });
    assert.match(raw, /"ok":false,"error":"not JSON: not json"/);
    assert.match(raw, /"error":"a request needs an id and a cmd"/);
    assert.equal(await ControlClient.connect(path.join(dir, 'nobody.sock')), undefined);
  } finally {
    server.close();
  }
});

/** A Docker API that answers _ping on a unix socket (the forwarded host socket, as the guest's engine would). */
async function pingServer(socket: string): Promise<http.Server> {
  const s = http.createServer((_req, res) => res.end('OK'));
  await new Promise<void>((r) => s.listen(socket, r));
  return s;
}

class FakeDriver implements VmDriver {
  readonly kind = 'qemu' as const;
  endpoint: MachineEndpoint = { dockerSocket: null, ssh: null };
  stopped = 0;
  /** What the boot does before the machine is ready (a guest's steps); a throw fails the start. */
  booting: (sink: DriverSink) => Promise<void> = async () => {};
  async start(_: MachineSettings, sink: DriverSink): Promise<VmSession> {
    await this.booting(sink);
    let end!: (v: { why: string; clean: boolean }) => void;
    return {
      endpoint: this.endpoint,
      pid: 42,
      accel: 'tcg',
      exited: new Promise((r) => {
        end = r;
      }),
      stop: async () => {
        this.stopped++;
        end({ why: 'stopped', clean: true });
      },
      kill: async () => end({ why: 'killed', clean: false }),
    };
  }
  async reset() {}
  async disk() {
    return { sizeGiB: 60 };
  }
  async growDisk() {}
}

class FakeForwarder implements ForwarderLike {
  connected = false;
  started = false;
  stopped = false;
  kubeWrites: string[] = [];
  failKube = false;
  private listener: (e: ForwarderEvent) => void = () => {};
  constructor(readonly opts: HostForwarderOptions) {}
  on(_: 'event', l: (e: ForwarderEvent) => void) {
    this.listener = l;
  }
  emit(e: ForwarderEvent) {
    this.listener(e);
  }
  connect() {
    this.connected = true;
  }
  async start() {
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
  async writeKubeContext(file: string) {
    if (this.failKube) throw new Error('no admin kubeconfig yet');
    this.kubeWrites.push(file);
  }
  runs: string[] = [];
  runResult = {
    code: 0,
    stdout: Buffer.from('reset: 3 entries of /k removed, certificates kept\n'),
    stderr: '',
  };
  async run(command: string) {
    this.runs.push(command);
    return this.runResult;
  }
}

function setup(endpoint: MachineEndpoint, settings: { kubernetes?: boolean } = {}) {
  const host = new FakeHost();
  const driver = new FakeDriver();
  driver.endpoint = endpoint;
  const manager = new MachineManager({
    driver,
    host,
    settingsFile: '/m/settings.json',
    limits: { cpus: 4, memoryMiB: 8192 },
  });
  const forwarders: FakeForwarder[] = [];
  const knobs = { kubeFails: false };
  const contexts: [string, string][] = [];
  const dockerSocket = path.join(dir, `docker-${Math.random().toString(36).slice(2, 8)}.sock`);
  const agent = new Agent({
    manager,
    dockerSocket,
    forwarder: (o) => {
      const f = new FakeForwarder(o);
      f.failKube = knobs.kubeFails;
      forwarders.push(f);
      return f;
    },
    dockerConfigDir: '/home/alice/.docker',
    writeDockerContext: async (d, s) => contexts.push([d, s]),
    kubeconfig: '/home/alice/.kube/config',
    connectTimeoutMs: 2000,
    kubeContextRetry: { everyMs: 20, forMs: 5000 },
  });
  const events: AgentEvent[] = [];
  agent.subscribe((e) => events.push(e));
  return {
    manager,
    driver,
    agent,
    forwarders,
    contexts,
    dockerSocket,
    events,
    knobs,
    ready: manager.updateSettings(settings),
  };
}

/** A machine reached over SSH on `port`, with its private key (`content`) written under `sub`. */
async function sshMachine(sub: string, port: number, content: string): Promise<MachineEndpoint> {
  const key = path.join(dir, sub, 'ssh_ed25519');
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(key), { recursive: true }));
  writeFileSync(key, content);
  return {
    dockerSocket: null,
    ssh: {
      host: '127.0.0.1',
      port,
      user: 'root',
      privateKeyFile: key,
      knownHostFile: path.join(path.dirname(key), 'known_hosts'),
    },
  };
}

test('the agent connects a machine reached over SSH: forwarder, docker context, status, ports, stop', async () => {
  const machine = await sshMachine('machines/default', 2222, 'PRIVATE KEY');
  const key = machine.ssh?.privateKeyFile as string;
  const t = setup(machine);
  await t.ready;
  const engine = await pingServer(t.dockerSocket);
  try {
    const s = await t.agent.start();
    const [f] = t.forwarders;
    assert.ok(f.started);
    assert.equal(f.opts.ssh.port, 2222);
    assert.equal(f.opts.ssh.user, 'root');
    assert.equal(String(f.opts.ssh.privateKey), 'PRIVATE KEY');
    assert.equal(f.opts.ssh.knownHostFile, path.join(path.dirname(key), 'known_hosts'));
    assert.equal(f.opts.dockerSocket, t.dockerSocket);
    assert.equal(f.opts.kubernetes, false, 'the cluster is off');
    assert.deepEqual(t.contexts, [['/home/alice/.docker', t.dockerSocket]]);
    assert.equal(s.state, 'running');
    assert.equal(s.docker, `unix://${t.dockerSocket}`);
    assert.ok(t.events.some((e) => e.type === 'connected'));

    const port = {
      proto: 'tcp' as const,
      hostIp: '127.0.0.1',
      port: 8080,
      guestHost: '127.0.0.1',
      guestPort: 8080,
    };
    f.emit({ kind: 'port', event: { kind: 'opened', port, address: '127.0.0.1:8080' } });
    f.emit({
      kind: 'link',
      state: { state: 'reconnecting', attempt: 1, reason: 'ECONNRESET', retryInMs: 500 },
    });
    const now = await t.agent.status();
    assert.deepEqual(now.ports, ['127.0.0.1:8080/tcp']);
    assert.deepEqual(
      describeStatus(now).filter((l) => /^(ports|ssh):/.test(l)),
      ['ssh:        reconnecting (attempt 1, next in 1 s): ECONNRESET', 'ports:      127.0.0.1:8080/tcp'],
    );
    f.emit({
      kind: 'port',
      event: {
        kind: 'conflict',
        port,
        address: '127.0.0.1:8080',
        message: 'port 8080 is taken by nginx (pid 7)',
      },
    });
    assert.deepEqual((await t.agent.status()).ports, []);
    assert.equal(describeEvent(t.events.at(-2)!), '! port 8080 is taken by nginx (pid 7)');

    await t.agent.stop();
    assert.ok(f.stopped);
    assert.equal(t.driver.stopped, 1);
    const stopped = await t.agent.status();
    assert.equal(stopped.state, 'stopped');
    await assert.rejects(
      t.agent.start().then(() => t.agent.resetCluster()),
      /Berth's cluster is off/,
    );
    assert.deepEqual(t.forwarders[1].runs, [], 'nothing ran in the machine');
    await t.agent.stop();
    assert.equal(stopped.docker, undefined);
  } finally {
    engine.close();
  }
});

test('a machine reachable over SSH before its engine is ready is connected to while berthd starts, with that same connection used at ready', async () => {
  const endpoint = await sshMachine('early', 2224, 'EARLY KEY');
  const t = setup(endpoint, { kubernetes: true });
  await t.ready;
  const engine = await pingServer(t.dockerSocket);
  try {
    const seen: { connected: boolean; started: boolean }[] = [];
    t.driver.booting = async (sink) => {
      sink.reachable(endpoint);
      // berthd starting in the guest: the agent's connection goes ahead meanwhile.
      for (let i = 0; i < 100 && !t.forwarders[0]?.connected; i++) await new Promise((r) => setTimeout(r, 5));
      const f = t.forwarders[0];
      seen.push({ connected: f?.connected ?? false, started: f?.started ?? false });
    };
    const s = await t.agent.start();
    assert.deepEqual(seen, [{ connected: true, started: false }], 'connected before the machine was ready');
    assert.equal(t.forwarders.length, 1, 'the early connection is the one used');
    const [f] = t.forwarders;
    assert.ok(f.started);
    assert.equal(String(f.opts.ssh.privateKey), 'EARLY KEY');
    assert.deepEqual(f.opts.kubernetes, {}, "the machine's settings at the start");
    assert.equal(s.docker, `unix://${t.dockerSocket}`);
    await t.agent.stop();
    assert.ok(f.stopped);

    // A start that fails after the machine was reachable leaves no connection behind.
    t.driver.booting = async (sink) => {
      sink.reachable(endpoint);
      for (let i = 0; i < 100 && !t.forwarders[1]?.connected; i++) await new Promise((r) => setTimeout(r, 5));
      throw new Error("the guest's berthd step failed: exit 1");
    };
    await assert.rejects(t.agent.start(), /berthd step failed/);
    assert.equal(t.forwarders.length, 2);
    assert.ok(t.forwarders[1].connected);
    assert.ok(t.forwarders[1].stopped, 'the early connection was closed');
    assert.equal((await t.agent.status()).link, undefined);
  } finally {
    engine.close();
  }
});

test('with the cluster on, the kubeconfig context is merged; when it cannot be, a warning says why', async () => {
  const t = setup(await sshMachine('k', 2223, 'K'), { kubernetes: true });
  await t.ready;
  const engine = await pingServer(t.dockerSocket);
  try {
    const s = await t.agent.start();
    assert.deepEqual(t.forwarders[0].opts.kubernetes, {});
    assert.deepEqual(t.forwarders[0].kubeWrites, ['/home/alice/.kube/config']);
    assert.equal(s.kubernetes, 'https://127.0.0.1:6443');

    // A reset of the cluster runs the guest's script over the link, and answers once the engine does.
    const handle = controlHandler(t.agent, () => {});
    const reset = await handle({ id: 1, cmd: 'cluster-reset' }, () => {}, new Promise(() => {}));
    assert.deepEqual(t.forwarders[0].runs, [guestResetCluster]);
    assert.deepEqual(reset, { output: 'reset: 3 entries of /k removed, certificates kept' });
    assert.ok(t.events.some((e) => e.type === 'agent' && /resetting Berth's cluster/.test(e.message)));
    t.forwarders[0].runResult = {
      code: 1,
      stdout: Buffer.from(''),
      stderr: 'berthd (pid 9) did not stop within 30 s: nothing was reset\n',
    };
    await assert.rejects(
      t.agent.resetCluster(),
      /the cluster reset failed in the machine: berthd \(pid 9\) did not stop within 30 s: nothing was reset/,
    );
    await t.agent.stop();
    await assert.rejects(t.agent.resetCluster(), /the machine is not running: start it first/);
    // Started again: a new forwarder, and this time the guest's admin kubeconfig is not there yet.
    t.knobs.kubeFails = true;
    const second = await t.agent.start();
    assert.equal(t.forwarders.length, 2);
    assert.equal(second.state, 'running', 'the engine is usable all the same');
    assert.equal(second.kubernetes, undefined);
    assert.ok(
      t.events.some(
        (e) =>
          e.type === 'agent' &&
          e.message ===
            'the berth kubeconfig context was not written: no admin kubeconfig yet (tried again while the cluster starts)',
      ),
    );
    // Once the cluster has made it, the context is written and the status names the API.
    t.forwarders[1].failKube = false;
    for (let i = 0; i < 100 && !(await t.agent.status()).kubernetes; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal((await t.agent.status()).kubernetes, 'https://127.0.0.1:6443');
    assert.deepEqual(t.forwarders[1].kubeWrites, ['/home/alice/.kube/config']);
    assert.ok(t.events.some((e) => e.type === 'agent' && /context was written to/.test(e.message)));
    await t.agent.stop();
  } finally {
    engine.close();
  }
});

test('a machine on this host (native) needs no forwarder: the context names its own socket', async () => {
  const socket = path.join(dir, 'native.sock');
  const t = setup({ dockerSocket: socket, ssh: null });
  await t.ready;
  const s = await t.agent.start();
  assert.equal(t.forwarders.length, 0);
  assert.deepEqual(t.contexts, [['/home/alice/.docker', socket]]);
  assert.equal(s.docker, `unix://${socket}`);
  await t.agent.stop();
});

test('a forwarded socket that never answers fails the start with what the user needs to know', async () => {
  const t = setup(await sshMachine('dead', 2224, 'K'));
  await t.ready;
  await assert.rejects(
    t.agent.start(),
    new RegExp(`the engine in the machine does not answer at ${t.dockerSocket}`),
  );
});
