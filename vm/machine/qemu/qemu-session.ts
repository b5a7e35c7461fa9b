// A qemu machine once its guest is ready: how it is stopped (the ACPI power button through QMP, pressed
// again now and then, then a kill once the timeout has passed), killed, and how its end is told.
import type { Clock } from '../clock.ts';
import type { Host, HostProcess } from '../host.ts';
import { type MachinePaths, tailLines } from '../machine-dir.ts';
import { type DriverSink, type MachineEndpoint, MachineError, type VmSession } from '../types.ts';
import { describeExit, timedOut, within } from '../wait.ts';

const consoleLines = 12;
const powerdownRepeatMs = 5000;

export interface SessionParts {
  host: Host;
  clock: Clock;
  paths: MachinePaths;
  proc: HostProcess;
  virtiofsd: HostProcess | null;
  sshPort: number;
  accel: string;
  sink: DriverSink;
  /** Stops following the console and the progress channel (after a last read). */
  tails: () => Promise<void>;
}

/** `fn` every `ms` on the clock until cancelled. */
function every(clock: Clock, ms: number, fn: () => void): { cancel(): void } {
  let timer = clock.setTimeout(function tick() {
    fn();
    timer = clock.setTimeout(tick, ms);
  }, ms);
  return { cancel: () => timer.cancel() };
}

/** A qemu machine is reached over SSH on the host port forwarded to the guest's port 22. */
export function sshEndpoint(p: MachinePaths, sshPort: number): MachineEndpoint {
  return {
    dockerSocket: null,
    ssh: {
      host: '127.0.0.1',
      port: sshPort,
      user: 'root',
      privateKeyFile: p.sshKey,
      knownHostFile: p.sshKnownHost,
    },
  };
}

export function qemuSession(o: SessionParts): VmSession {
  const { host, clock, paths: p, proc, virtiofsd, sink, tails } = o;
  const exited = proc.exited.then(async (status) => {
    virtiofsd?.kill('SIGTERM');
    await host.remove(p.runtime);
    await tails();
    const tail = await tailLines(host, p.serialLog, consoleLines);
    // qemu also exits 0 when the guest reboots or panics (-no-reboot, panic=-1): only a power-off is a stop.
    if (status.code === 0 && tail.some((l) => /reboot: Power down/.test(l))) {
      return { why: 'the guest powered off', clean: true };
    }
    const last = tail.length ? `\n--- last lines of the console ---\n${tail.join('\n')}` : '';
    // A qemu that is not our child (attached to) ends without a status we can read.
    const how = status.code === null && status.signal === null ? 'ended' : describeExit(status);
    return { why: `qemu ${how}${last}`, clean: false };
  });
  let gone = false;
  void proc.exited.then(() => {
    gone = true;
  });
  return {
    endpoint: sshEndpoint(p, o.sshPort),
    pid: proc.pid,
    accel: o.accel,
    exited,
    async stop(timeoutMs) {
      if (gone) return;
      try {
        await host.qmp(p.qmpSocket, 'system_powerdown', undefined, 5000);
        sink.log('provider', 'asked the guest to power off (ACPI)');
      } catch (err) {
        sink.log('provider', `ACPI power-off failed (${(err as Error).message}); ending qemu`);
        proc.kill('SIGKILL');
      }
      // A press the guest was not listening for yet is lost: press again now and then until the timeout.
      const again = every(clock, powerdownRepeatMs, () => {
        host.qmp(p.qmpSocket, 'system_powerdown', undefined, 5000).catch(() => undefined);
      });
      const ended = await within(clock, timeoutMs, proc.exited);
      again.cancel();
      if (ended !== timedOut) return;
      sink.log('provider', `the guest did not power off within ${timeoutMs / 1000} s; ending qemu`);
      proc.kill('SIGKILL');
      if ((await within(clock, 10_000, proc.exited)) === timedOut) {
        throw new MachineError('stop.kill_failed', `qemu (pid ${proc.pid}) did not end after SIGKILL`);
      }
    },
    async kill() {
      if (gone) return;
      proc.kill('SIGKILL');
      if ((await within(clock, 10_000, proc.exited)) === timedOut) {
        throw new MachineError('stop.kill_failed', `qemu (pid ${proc.pid}) did not end after SIGKILL`);
      }
    },
  };
}
