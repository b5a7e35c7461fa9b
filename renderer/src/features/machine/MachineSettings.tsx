// Settings of the machine: CPUs, memory, disk size (it grows, never shrinks), Kubernetes, the shared
// home, and whether the app starts it on launch. Saved values apply when a running machine restarts.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError, MachineSettingsView } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import './machine.css';

type Draft = {
  cpus: string;
  memoryMiB: string;
  diskGiB: string;
  kubernetes: boolean;
  shareHome: boolean;
  startOnLaunch: boolean;
};

const draftOf = (v: MachineSettingsView): Draft => ({
  cpus: String(v.cpus),
  memoryMiB: String(v.memoryMiB),
  diskGiB: String(v.diskGiB),
  kubernetes: v.kubernetes,
  shareHome: v.shareHome,
  startOnLaunch: v.startOnLaunch,
});

export function MachineSettings() {
  const s = useStore(
    useShallow((st) => ({
      machine: st.machine,
      saved: st.machineSettings,
      load: st.loadMachineSettings,
      update: st.updateMachineSettings,
      loadMachine: st.loadMachine,
    })),
  );
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<ContractError | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const { load, loadMachine } = s;
  useEffect(() => {
    void load().then(setError);
    void loadMachine();
  }, [load, loadMachine]);
  useEffect(() => {
    if (s.saved) setDraft(draftOf(s.saved));
  }, [s.saved]);

  const running = s.machine?.state === 'running' || s.machine?.state === 'starting';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(null);
    setNotice('');
    const err = await s.update({
      cpus: Number(draft.cpus),
      memoryMiB: Number(draft.memoryMiB),
      diskGiB: Number(draft.diskGiB),
      kubernetes: draft.kubernetes,
      shareHome: draft.shareHome,
      startOnLaunch: draft.startOnLaunch,
    });
    setBusy(false);
    if (err) return setError(err);
    setNotice(
      useStore.getState().machine?.restartNeeded ? 'Saved. They apply when the machine restarts.' : 'Saved.',
    );
  };
  const check = (key: 'kubernetes' | 'shareHome' | 'startOnLaunch', label: string) =>
    draft && (
      <label className="choice">
        <input
          type="checkbox"
          checked={draft[key]}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.checked })}
        />
        <span>{label}</span>
      </label>
    );
  // berthd on the host uses the host's CPUs, memory and disk: nothing to size.
  const native = s.machine?.provider === 'native';
  const num = (key: 'cpus' | 'memoryMiB' | 'diskGiB', label: string, min: number) =>
    draft && (
      <label>
        {label}
        <input
          type="number"
          disabled={native}
          min={min}
          value={draft[key]}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        />
      </label>
    );
  return (
    <form className="card settings-card machine-settings" aria-labelledby={`${ids}-t`} onSubmit={submit}>
      <h2 id={`${ids}-t`}>Machine</h2>
      <p className="muted">
        The Linux machine that runs Berth's engine
        {s.machine
          ? ` (${s.machine.provider === 'native' ? 'berthd on this host: CPUs, memory and disk are the host’s' : s.machine.provider})`
          : ''}
        .{running ? ' It runs now: changes apply when it restarts.' : ''}
      </p>
      {s.machine?.notInUse && <p className="muted">{s.machine.notInUse}</p>}
      {draft && (
        <>
          <div className="resource-grid">
            {num('cpus', 'CPUs', 1)}
            {num('memoryMiB', 'Memory (MiB)', 512)}
            {num('diskGiB', 'Disk (GiB, grows only)', s.saved?.diskGiB ?? 8)}
          </div>
          {check('kubernetes', 'Kubernetes')}
          {check('shareHome', 'Share my home folder with the machine')}
          {check('startOnLaunch', 'Start the machine when Berth starts')}
        </>
      )}
      <ErrorBanner error={error} context="Cannot save the machine's settings" />
      <div className="row">
        <button type="submit" className="primary" disabled={!draft || busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        {s.machine?.restartNeeded && (
          <span className="muted" data-testid="machine-restart-needed">
            Applies at restart
          </span>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
    </form>
  );
}
