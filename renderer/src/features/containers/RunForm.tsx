import { type ChangeEvent, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type {
  ImageRunDefaults,
  RestartPolicyName,
  RunContainerRequest,
} from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { useStore } from '../../store/index.ts';
import { FormCard } from '../../ui/FormCard.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { useFormSubmit } from '../../ui/use-form-submit.ts';
import { useTextFields } from '../../ui/use-text-fields.ts';
import { TransferPanel } from '../images/TransferPanel.tsx';
import { emptyPortRow, PortRows, VolumeRows } from './RunFormRows.tsx';
import './run-form.css';
import {
  type PortRow,
  parseEnvField,
  parseEnvLines,
  parsePortRows,
  parseVolumeRows,
  splitCommand,
  type VolumeRow,
} from './run-request.ts';

const restartLabels: Record<RestartPolicyName, string> = {
  no: 'No (default)',
  'on-failure': 'On failure',
  always: 'Always',
  'unless-stopped': 'Unless stopped',
};

/** What the engine says the image runs by default; null while unknown or when it lacks the image. */
function useImageDefaults(image: string): ImageRunDefaults | null | 'missing' {
  const [defaults, setDefaults] = useState<ImageRunDefaults | null | 'missing'>(null);
  useEffect(() => {
    const ref = image.trim();
    setDefaults(null);
    if (!ref) return;
    let live = true;
    // Asked once typing stops, not at every key.
    const timer = setTimeout(() => {
      void api()
        .invoke('images.runDefaults', { id: ref })
        .then((r) => {
          if (live) setDefaults(r.ok ? r.value : r.error.kind === 'not_found' ? 'missing' : null);
        });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [image]);
  return defaults;
}

/**
 * `docker run -d` as a form: image (pulled first, with progress here, when the engine lacks it), name,
 * command and entrypoint, environment (typed or loaded from a .env file), ports, volumes, network and
 * restart policy. `image` fills the image in (the images screens open it so).
 */
export function RunForm({ onDone, image }: { onDone: () => void; image?: string }) {
  const { runContainer, pulling, networks, volumes, refreshNetworks, refreshVolumes } = useStore(
    useShallow((s) => ({
      runContainer: s.runContainer,
      pulling: s.transfer?.forRun === true && s.transfer.phase === 'running',
      networks: s.networks,
      volumes: s.volumes,
      refreshNetworks: s.refreshNetworks,
      refreshVolumes: s.refreshVolumes,
    })),
  );
  const { values, field } = useTextFields({
    image: image ?? 'busybox',
    name: '',
    cmd: '',
    entrypoint: '',
    env: '',
    maxRetries: '',
  });
  const [ports, setPorts] = useState<PortRow[]>([emptyPortRow()]);
  const [mounts, setMounts] = useState<VolumeRow[]>([]);
  const [network, setNetwork] = useState('');
  const [restart, setRestart] = useState<RestartPolicyName>('no');
  const [envNote, setEnvNote] = useState('');
  const [envError, setEnvError] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const defaults = useImageDefaults(values.image);

  useEffect(() => {
    void refreshNetworks();
    void refreshVolumes();
  }, [refreshNetworks, refreshVolumes]);
  // A finished pull of an earlier run form is not this one's to show; a running one goes on (and
  // its run with it) when the form closes.
  useEffect(() => {
    const forgetFinished = () => {
      const { transfer, clearTransfer } = useStore.getState();
      if (transfer?.forRun && transfer.phase !== 'running') clearTransfer();
    };
    forgetFinished();
    return forgetFinished;
  }, []);

  const { onSubmit, ...submit } = useFormSubmit({
    parse: (): RunContainerRequest => {
      const max = restart === 'on-failure' ? values.maxRetries.trim() : '';
      if (max && !/^\d+$/.test(max)) throw new Error(`invalid maximum retries "${max}": use a whole number`);
      return {
        image: values.image.trim(),
        name: values.name.trim() || undefined,
        cmd: values.cmd.trim() ? splitCommand(values.cmd) : undefined,
        entrypoint: values.entrypoint.trim() ? splitCommand(values.entrypoint) : undefined,
        env: parseEnvField(values.env),
        ports: parsePortRows(ports),
        volumes: parseVolumeRows(mounts),
        ...(network ? { network } : {}),
        ...(restart !== 'no'
          ? { restart: { name: restart, ...(max ? { maxRetries: Number(max) } : {}) } }
          : {}),
      };
    },
    send: async (req) => {
      const r = await runContainer(req);
      return 'kind' in r ? r : null;
    },
    onDone,
  });
  const resubmit = () => onSubmit({ preventDefault: () => undefined } as Parameters<typeof onSubmit>[0]);

  const loadEnvFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    try {
      const { env, bare } = parseEnvLines(await file.text(), file.name);
      field('env').onChange([values.env.trimEnd(), ...env].filter(Boolean).join('\n'));
      setEnvError('');
      setEnvNote(
        `Loaded ${env.length} variable(s) from ${file.name}.` +
          (bare.length
            ? ` Skipped ${bare.join(', ')}: a name without a value takes the value of the docker CLI's own environment, which the app does not have.`
            : ''),
      );
    } catch (err) {
      setEnvNote('');
      setEnvError(err instanceof Error ? err.message : String(err));
    }
  };

  const known = defaults && defaults !== 'missing' ? defaults : undefined;
  const imageRuns = known ? [...known.entrypoint, ...known.cmd].join(' ') : '';

  return (
    <FormCard
      ariaLabel="Run a new container"
      verb="Run"
      noun="container"
      pendingLabel={pulling ? 'Pulling…' : 'Starting…'}
      onCancel={onDone}
      onSubmit={onSubmit}
      {...submit}
    >
      <TextField label="Image" {...field('image')} required />
      <TextField label="Name" {...field('name')} placeholder="optional" />
      <TextField label="Command" {...field('cmd')} placeholder="image default" />
      <TextField label="Entrypoint" {...field('entrypoint')} placeholder="image default" />
      <label>
        Network
        <select aria-label="Network" value={network} onChange={(e) => setNetwork(e.target.value)}>
          <option value="">Default (bridge)</option>
          {networks
            .filter((n) => n.name !== 'bridge')
            .map((n) => (
              <option key={n.id} value={n.name}>
                {n.name}
              </option>
            ))}
        </select>
      </label>
      <label>
        Restart policy
        <select
          aria-label="Restart policy"
          value={restart}
          onChange={(e) => setRestart(e.target.value as RestartPolicyName)}
        >
          {(Object.keys(restartLabels) as RestartPolicyName[]).map((p) => (
            <option key={p} value={p}>
              {restartLabels[p]}
            </option>
          ))}
        </select>
      </label>
      {restart === 'on-failure' && (
        <TextField label="Maximum retries" {...field('maxRetries')} placeholder="no limit" />
      )}
      <PortRows rows={ports} exposed={known?.exposedPorts ?? []} onChange={setPorts} />
      <VolumeRows rows={mounts} volumes={volumes.map((v) => v.name)} onChange={setMounts} />
      <TextField
        label="Environment (KEY=value, one per line)"
        {...field('env')}
        rows={3}
        placeholder="KEY=value"
      />
      <div className="wide row-offers">
        <button type="button" className="small" onClick={() => fileInput.current?.click()}>
          Load env file…
        </button>
        <input
          ref={fileInput}
          type="file"
          aria-label="Env file"
          className="visually-hidden"
          tabIndex={-1}
          onChange={loadEnvFile}
        />
        {envNote && (
          <span className="muted" role="status">
            {envNote}
          </span>
        )}
        {envError && (
          <span className="inline-error" role="alert">
            Cannot load the env file: {envError}
          </span>
        )}
      </div>
      {/* Last, so that their coming and going never moves the fields under the pointer. */}
      {imageRuns && (
        <p className="hint wide" data-testid="image-runs">
          By default the image runs <code>{imageRuns}</code>
        </p>
      )}
      {defaults === 'missing' && (
        <p className="hint wide" data-testid="image-missing">
          The engine does not have {values.image.trim()} yet: Run pulls it first, as docker run does.
        </p>
      )}
      <div className="wide">
        <TransferPanel kind="pull" forRun onRetry={resubmit} />
      </div>
    </FormCard>
  );
}
