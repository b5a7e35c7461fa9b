// The machine's channels: state, start/stop/restart, factory reset, settings, and its events (boot
// progress, boot log, notices), all through MachineService (the Berth agent's control socket).
import { HandlerError } from '../ipc/errors.ts';
import type { InvokeHandlers, StreamHandlers } from '../ipc/handlers.ts';
import type { MachineService } from './machine-service.ts';

type MachineChannels =
  | 'machine.status'
  | 'machine.start'
  | 'machine.stop'
  | 'machine.restart'
  | 'machine.reset'
  | 'machine.settings'
  | 'machine.updateSettings';

function need(machine: MachineService | undefined): MachineService {
  if (!machine) throw new HandlerError('unsupported', 'machine.none', 'this process drives no machine');
  return machine;
}

export function machineHandlers(machine?: MachineService): Pick<InvokeHandlers, MachineChannels> {
  return {
    'machine.status': async () => need(machine).status(),
    'machine.start': async (req) => need(machine).start({ retryAccel: req?.retryAccel === true }),
    'machine.stop': async () => need(machine).stop(),
    'machine.restart': async () => need(machine).restart(),
    'machine.reset': async () => need(machine).reset(),
    'machine.settings': async () => need(machine).settings(),
    'machine.updateSettings': async (req) => need(machine).updateSettings(req ?? {}),
  };
}

export function machineStreams(machine?: MachineService): Pick<StreamHandlers, 'machine.events'> {
  return {
    async 'machine.events'(_params, emit, signal) {
      const m = need(machine);
      // The connection to a running agent is made here too, so its events flow without a status call.
      void m.attach().catch(() => undefined);
      const off = m.subscribe(emit);
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      off();
    },
  };
}
