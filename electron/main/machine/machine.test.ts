// The machine's channels against a real control socket: a stand-in agent (vm/cli's Agent over a
// MachineManager whose provider is a test double) served with vm/cli/control.ts's serveControl, as
// `berth agent` serves it. The app's handlers reach it only through the socket.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { Agent, controlHandler, guestResetCluster } from '../../../vm/cli/agent.ts';
import { serveControl } from '../../../vm/cli/control.ts';
import { rememberProvider } from '../../../vm/cli/launch.ts';
import { cliPaths } from '../../../vm/cli/paths.ts';
import type { ForwarderEvent } from '../../../vm/forward/forwarder.ts';
import { FakeHost } from '../../../vm/machine/fake-host.ts';
import {
  type DriverSink,
  type MachineEndpoint,
  MachineManager,
  type MachineSettings,
  type VmDriver,
  type VmSession,
} from '../../../vm/machine/index.ts';
import type { MachineEventView, Result } from '../../contract/index.ts';
import { SettingsStore } from '../app/settings-store.ts';
import { engineHandlers } from '../engine/engine.ts';
import { createEngineClient } from '../engine/engine-client.ts';
import { dispatchInvoke, dispatchStream, type Handlers } from '../ipc/handlers.ts';
import { machineHandlers, machineStreams } from './machine.ts';
import { MachineService } from './machine-service.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-machine-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A provider that boots in a few steps, says it runs under TCG, and can be made to fail. */
class StepDriver implements VmDriver {
  readonly kind = 'qemu' as const;
  starts = 0;
  resets = 0;
  fail: string | null = null;
  /** The endpoint a VM offers: SSH, which the agent's forwarder carries the Docker socket over. */
  ssh: MachineEndpoint['ssh'] = null;
  constructor(private readonly dockerSocket: string) {}
  async start(_s: MachineSettings, sink: DriverSink): Promise<VmSession> {
    this.starts++;
    sink.progress({ kind: 'stage', stage: 'kernel', text: 'booting the kernel' });
    sink.notice(
      'warning',
      'accel.fallback',
      'hardware acceleration does not run guests here: the machine runs under TCG and will be slow',
    );
    sink.log('console', 'Linux version 6.1.0-test');
    if (this.fail) throw new Error(this.fail);
    sink.progress({ kind: 'ready', stage: 'ready', text: 'berthd answers' });
    let end!: (v: { why: string; clean: boolean }) => void;
    return {
      endpoint: this.ssh
        ? { dockerSocket: null, ssh: this.ssh }
        : { dockerSocket: this.dockerSocket, ssh: null },
      pid: 4242,
      accel: 'tcg',
      exited: new Promise((r) => {
        end = r;
      }),
      stop: async () => end({ why: 'stopped', clean: true }),
      kill: async () => end({ why: 'killed', clean: false }),
    };
  }
  async reset() {
    this.resets++;
  }
  async disk() {
    return { sizeGiB: 60 };
  }
  async growDisk() {}
}

/** The agent's forwarder as a VM gives it: the Docker socket answers once it starts; the link reports. */
class FakeForwarder {
  private readonly listeners: ((e: ForwarderEvent) => void)[] = [];
  private server: http.Server | undefined;
  constructor(private readonly dockerSocket: string) {}
  on(_event: 'event', listener: (e: ForwarderEvent) => void) {
    this.listeners.push(listener);
  }
  emit(e: ForwarderEvent) {
    for (const l of this.listeners) l(e);
  }
  connect() {}
  async start() {
    this.emit({ kind: 'link', state: { state: 'connecting', attempt: 1 } });
    this.server = http.createServer((_req, res) => res.end('OK'));
    await new Promise<void>((r) => this.server?.listen(this.dockerSocket, r));
    this.emit({ kind: 'link', state: { state: 'connected', since: 1 } });
  }
  async stop() {
    this.emit({ kind: 'link', state: { state: 'stopped' } });
    await new Promise((r) => this.server?.close(r));
  }
  async writeKubeContext() {}
  readonly runs: string[] = [];
  async run(command: string) {
    this.runs.push(command);
    return { code: 0, stdout: Buffer.from('reset: 2 entries of /k removed, certificates kept'), stderr: '' };
  }
}

let n = 0;
function world() {
  const home = path.join(dir, `h${n++}`);
  const paths = cliPaths({ BERTH_HOME: home });
  const dockerSocket = path.join(home, 'run', 'docker.sock');
  const driver = new StepDriver(dockerSocket);
  const manager = new MachineManager({
    driver,
    host: new FakeHost(),
    settingsFile: '/m/settings.json',
    limits: { cpus: 4, memoryMiB: 8192 },
  });
  const appSettings = new SettingsStore(path.join(home, 'config', 'settings.json'));
  const endpoints: string[] = [];
  const service = new MachineService({
    paths,
    // Never used here: every test that starts the machine serves the agent first.
    agent: { command: '/nonexistent', entry: '/nonexistent' },
    appSettings,
    inUse: true,
    local: () => ({ manager }),
    onEndpoint: (e) => endpoints.push(e),
  });
  const handlers = {
    invoke: machineHandlers(service),
    streams: machineStreams(service),
  } as unknown as Handlers;
  let server: net.Server | undefined;
  // The real agent exits after a stop, and every connection with it.
  const conns = new Set<net.Socket>();
  /** The forwarder a VM's start gets (sshOn makes the driver offer SSH). */
  let forwarder: FakeForwarder | undefined;
  const sshOn = () => {
    const key = path.join(home, 'key');
    writeFileSync(key, 'not read by the stand-in forwarder');
    driver.ssh = {
      host: '127.0.0.1',
      port: 2222,
      user: 'root',
      privateKeyFile: key,
      knownHostFile: `${key}.host`,
    };
    forwarder = new FakeForwarder(dockerSocket);
    return forwarder;
  };
  /** `berth agent`'s own dispatch over the stand-in's Agent; `stop` ends it as the real one exits. */
  const serveAgent = async () => {
    const agent = new Agent({
      manager,
      dockerSocket,
      forwarder: () => {
        if (!forwarder) throw new Error('no SSH here');
        return forwarder;
      },
      dockerConfigDir: path.join(home, 'docker'),
      writeDockerContext: async () => undefined,
      kubeconfig: path.join(home, 'kubeconfig'),
    });
    server = await serveControl(
      paths.agentSocket,
      controlHandler(agent, () => {
        server?.close();
        for (const c of conns) c.destroy();
      }),
    );
    server.on('connection', (c) => {
      conns.add(c);
      c.on('close', () => conns.delete(c));
    });
  };
  const call = async <T>(channel: string, req?: unknown): Promise<T> => {
    const r = (await dispatchInvoke(handlers, channel as never, req as never)) as Result<T>;
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value;
  };
  const events: MachineEventView[] = [];
  const stopEvents = dispatchStream(handlers, 'machine.events', undefined, (m) => {
    if (m.type === 'event') events.push(m.event);
  });
  return {
    home,
    paths,
    driver,
    manager,
    appSettings,
    service,
    endpoints,
    serveAgent,
    sshOn,
    call,
    events,
    dockerSocket,
    end: () => {
      stopEvents();
      service.close();
      server?.close();
    },
  };
}

const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

let w: ReturnType<typeof world>;
beforeEach(async () => {
  w?.end();
  w = world();
  await rememberProvider(w.home, 'qemu');
});
after(() => w?.end());

test('no agent: stopped, its settings from its files, start on launch in the app settings, a smaller disk refused', async () => {
  const st = await w.call<{ state: string; agent: boolean; provider: string; reset: { deletes: string[] } }>(
    'machine.status',
  );
  assert.equal(st.state, 'stopped');
  assert.equal(st.agent, false);
  assert.equal(st.provider, 'qemu');
  assert.match(st.reset.deletes[0], new RegExp(`^${w.home}/machines/default: the machine's disk`));
  assert.deepEqual(await w.call('machine.settings'), {
    cpus: 2,
    memoryMiB: 2048,
    diskGiB: 60,
    kubernetes: false,
    shareHome: true,
    startOnLaunch: true,
  });
  const r = await w.call<{ settings: { cpus: number; startOnLaunch: boolean }; restartNeeded: boolean }>(
    'machine.updateSettings',
    { cpus: 3, startOnLaunch: false },
  );
  assert.equal(r.settings.cpus, 3);
  assert.equal(r.settings.startOnLaunch, false);
  assert.equal(r.restartNeeded, false, 'a stopped machine takes them at its next start');
  assert.equal((await w.manager.status()).settings.cpus, 3, 'saved with the machine');
  assert.equal(
    JSON.parse(readFileSync(w.appSettings.file, 'utf8')).startMachineOnLaunch,
    false,
    'start on launch is the app’s',
  );
  await assert.rejects(w.call('machine.updateSettings', { diskGiB: 40 }), (err: Error & { kind: string }) => {
    assert.equal(err.kind, 'invalid_argument');
    assert.match(err.message, /cannot shrink to 40 GiB/);
    return true;
  });
  await assert.rejects(w.call('machine.updateSettings', { cpus: 64 }), /this host has 4/);
});

test('through the agent: start streams state, progress, the TCG notice and console lines; the endpoint follows', async () => {
  await w.serveAgent();
  const st = await w.call<{ state: string; agent: boolean; docker: string; accel: string }>('machine.start');
  assert.equal(st.state, 'running');
  assert.equal(st.agent, true);
  assert.equal(st.accel, 'tcg');
  assert.equal(st.docker, `unix://${w.dockerSocket}`);
  assert.ok(w.endpoints.includes(`unix://${w.dockerSocket}`), 'the app switches to the machine’s engine');
  await until('the connected event', () => w.events.some((e) => e.type === 'connected'));
  const seen = w.events.map((e) =>
    e.type === 'state'
      ? `state ${e.state}`
      : e.type === 'progress'
        ? `${e.kind} ${e.stage}`
        : e.type === 'notice'
          ? `notice ${e.code}`
          : e.type === 'log'
            ? `log ${e.source}`
            : e.type,
  );
  assert.deepEqual(seen, [
    'state starting',
    'stage kernel',
    'notice accel.fallback',
    'log console',
    'ready ready',
    'state running',
    'connected',
  ]);
  // A view that subscribes later gets the same lines first.
  const late: MachineEventView[] = [];
  const off = w.service.subscribe((e) => late.push(e));
  off();
  assert.equal(late.length, w.events.length);
});

test('settings while it runs reach the agent and apply at restart; stop ends the agent; reset deletes the machine', async () => {
  await w.serveAgent();
  await w.call('machine.start');
  const r = await w.call<{ restartNeeded: boolean; settings: { memoryMiB: number } }>(
    'machine.updateSettings',
    { memoryMiB: 4096 },
  );
  assert.equal(r.restartNeeded, true);
  assert.equal(r.settings.memoryMiB, 4096);
  assert.equal((await w.call<{ restartNeeded: boolean }>('machine.status')).restartNeeded, true);
  const again = await w.call<{ state: string; restartNeeded: boolean }>('machine.restart');
  assert.deepEqual(
    { state: again.state, restartNeeded: again.restartNeeded },
    { state: 'running', restartNeeded: false },
  );
  assert.equal(w.driver.starts, 2);

  const stopped = await w.call<{ state: string; agent: boolean }>('machine.stop');
  assert.deepEqual({ state: stopped.state, agent: stopped.agent }, { state: 'stopped', agent: false });
  await w.serveAgent();
  await w.call('machine.start');
  const reset = await w.call<{ state: string; agent: boolean }>('machine.reset');
  assert.deepEqual({ state: reset.state, agent: reset.agent }, { state: 'stopped', agent: false });
  assert.equal(w.driver.resets, 1);
  assert.equal((await w.manager.status()).settings.memoryMiB, 4096, 'settings stay');
  assert.ok(w.events.some((e) => e.type === 'log' && /factory reset/.test(e.line)));
});

test('a VM’s SSH link: on the status and as events while it reconnects, in words', async () => {
  const f = w.sshOn();
  mkdirSync(path.dirname(w.dockerSocket), { recursive: true });
  await w.serveAgent();
  const st = await w.call<{ state: string; link?: { state: string; text: string } }>('machine.start');
  assert.deepEqual(
    { state: st.state, link: st.link },
    { state: 'running', link: { state: 'connected', text: 'connected' } },
  );
  f.emit({
    kind: 'link',
    state: { state: 'reconnecting', attempt: 2, reason: 'connection reset', retryInMs: 1500 },
  });
  const text = 'reconnecting (attempt 2, next in 2 s): connection reset';
  await until('the link event', () =>
    w.events.some((e) => e.type === 'link' && e.link.state === 'reconnecting'),
  );
  assert.deepEqual(
    w.events.filter((e) => e.type === 'link').map((e) => (e.type === 'link' ? e.link.text : '')),
    ['connecting', 'connected', text],
  );
  assert.deepEqual((await w.call<{ link?: unknown }>('machine.status')).link, {
    state: 'reconnecting',
    text,
  });
  f.emit({ kind: 'link', state: { state: 'connected', since: 2 } });
  await until('connected again', () => w.events.at(-1)?.type === 'link');
  assert.equal((await w.call<{ link?: { state: string } }>('machine.status')).link?.state, 'connected');
  // Port chatter stays in the agent's log.
  const before = w.events.length;
  f.emit({
    kind: 'port',
    event: {
      kind: 'opened',
      address: '127.0.0.1:8080',
      port: { proto: 'tcp', hostIp: '127.0.0.1', port: 8080, guestHost: '127.0.0.1', guestPort: 8080 },
    },
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(w.events.length, before);
  const stopped = await w.call<{ link?: unknown }>('machine.stop');
  assert.equal(stopped.link, undefined, 'no link once stopped');
});

test('a cluster reset in a VM: the agent runs the guest’s reset over the link, with the machine up', async () => {
  await assert.rejects(w.service.resetCluster(), /the machine is not running: start it first/);
  await w.manager.updateSettings({ kubernetes: true });
  const f = w.sshOn();
  mkdirSync(path.dirname(w.dockerSocket), { recursive: true });
  await w.serveAgent();
  await w.call('machine.start');
  await w.service.resetCluster();
  assert.deepEqual(f.runs, [guestResetCluster]);
  await until('the agent’s note', () =>
    w.events.some((e) => e.type === 'log' && /reset: 2 entries of \/k removed/.test(e.line)),
  );
  await w.call('machine.stop');
});

test('a start that fails: the error names why; the machine shows error with the reason', async () => {
  await w.serveAgent();
  w.driver.fail = 'qemu exited: could not open /dev/kvm';
  await assert.rejects(w.call('machine.start'), /the machine did not start: qemu exited: could not open/);
  const st = await w.call<{ state: string; reason: string }>('machine.status');
  assert.equal(st.state, 'error');
  assert.match(st.reason, /could not open \/dev\/kvm/);
  w.driver.fail = null;
  assert.equal((await w.call<{ state: string }>('machine.restart')).state, 'running', 'Restart recovers it');
});

test('engine.info names the machine when its engine does not answer because it is not running', async () => {
  const engine = engineHandlers(
    createEngineClient(`unix://${path.join(w.home, 'none.sock')}`),
    null,
    w.service,
  );
  const info = () =>
    engine['engine.info'](undefined).then(
      () => 'answered',
      (err: { code: string }) => err.code,
    );
  assert.equal(await info(), 'machine.not_running');
  await w.serveAgent();
  w.driver.fail = 'no kernel';
  await w.call('machine.start').catch(() => undefined);
  assert.equal(await info(), 'machine.not_running', 'in error too');
  const other = engineHandlers(createEngineClient(`unix://${path.join(w.home, 'none.sock')}`), null, {
    inUse: false,
    state: 'stopped',
  });
  const raw = await other['engine.info'](undefined).then(
    () => 'answered',
    (err: { code: string }) => err.code,
  );
  assert.equal(raw, 'ENOENT', 'a machine not in use says nothing: the engine’s own error stands');
});

test('without app services the channels answer unsupported', async () => {
  const h = { invoke: machineHandlers(), streams: machineStreams() } as unknown as Handlers;
  const r = await dispatchInvoke(h, 'machine.status', undefined);
  assert.equal(r.ok ? 'ok' : r.error.kind, 'unsupported');
});
