import { type FormEvent, useState } from 'react';
import type { ContractError, RunContainerRequest } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { parsePorts, parseVolumes, splitCommand } from './run-request.ts';

export function RunForm({ onDone }: { onDone: () => void }) {
  const runContainer = useStore((s) => s.runContainer);
  const [image, setImage] = useState('busybox');
  const [name, setName] = useState('');
  const [cmd, setCmd] = useState('');
  const [ports, setPorts] = useState('');
  const [volumes, setVolumes] = useState('');
  const [env, setEnv] = useState('');
  const [error, setError] = useState<ContractError | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let req: RunContainerRequest;
    try {
      req = {
        image,
        name: name.trim() || undefined,
        cmd: cmd.trim() ? splitCommand(cmd) : undefined,
        ports: parsePorts(ports),
        volumes: parseVolumes(volumes),
        env: env
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      };
    } catch (err) {
      setError({ kind: 'invalid_argument', code: 'ui.form', message: (err as Error).message });
      return;
    }
    setPending(true);
    const r = await runContainer(req);
    setPending(false);
    if ('kind' in r) setError(r);
    else onDone();
  };

  return (
    <form className="card run-form" onSubmit={submit} aria-label="Run a new container">
      <h2>Run a container</h2>
      <ErrorBanner error={error} context="Cannot run the container" />
      <div className="grid">
        <label>
          Image
          <input value={image} onChange={(e) => setImage(e.target.value)} required name="image" />
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} name="name" placeholder="optional" />
        </label>
        <label>
          Command
          <input
            value={cmd}
            onChange={(e) => setCmd(e.target.value)}
            name="cmd"
            placeholder="image default"
          />
        </label>
        <label>
          Ports
          <input
            value={ports}
            onChange={(e) => setPorts(e.target.value)}
            name="ports"
            placeholder="8080:80"
          />
        </label>
        <label>
          Volumes
          <input
            value={volumes}
            onChange={(e) => setVolumes(e.target.value)}
            name="volumes"
            placeholder="data:/data or /host/dir:/dir:ro"
          />
        </label>
        <label className="wide">
          Environment (KEY=value, one per line)
          <textarea value={env} onChange={(e) => setEnv(e.target.value)} name="env" rows={2} />
        </label>
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Starting…' : 'Run'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
