// Settings: the engine endpoint (checked by a ping before it is used), the theme, the machine's
// resources and start at login.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContractError, SettingsView, ThemePreference } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { CodeText } from '../../ui/CodeText.tsx';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { ClusterCard } from '../kubernetes/cluster/ClusterCard.tsx';
import { MachineSettings } from '../machine/MachineSettings.tsx';
import './settings.css';

const sourceLabel: Record<SettingsView['defaultEndpoint']['source'], string> = {
  DOCKER_HOST: 'from DOCKER_HOST',
  berth: "Berth's engine",
  docker: "Docker's standard socket",
};

function EndpointSettings({
  view,
  apply,
}: {
  view: SettingsView;
  apply: (endpoint: string | null) => Promise<ContractError | null>;
}) {
  const saved = view.settings.endpoint;
  const [mode, setMode] = useState<'default' | 'custom'>(saved ? 'custom' : 'default');
  const [custom, setCustom] = useState(saved ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractError | null>(null);
  const [notice, setNotice] = useState('');
  const ids = useId();

  useEffect(() => {
    setMode(saved ? 'custom' : 'default');
    setCustom(saved ?? '');
  }, [saved]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice('');
    const err = await apply(mode === 'default' ? null : custom);
    setBusy(false);
    if (err) setError(err);
    else setNotice('Connected: Berth now talks to this endpoint.');
  };

  return (
    <form className="card settings-card" aria-labelledby={`${ids}-title`} onSubmit={submit}>
      <h2 id={`${ids}-title`}>Engine endpoint</h2>
      <p className="muted">
        The Docker API endpoint Berth talks to: Berth's own engine, or any Docker engine you pick.
      </p>
      <label className="choice">
        <input
          type="radio"
          name="endpoint"
          checked={mode === 'default'}
          onChange={() => setMode('default')}
        />
        <span>
          Default: <code>{view.defaultEndpoint.endpoint}</code>{' '}
          <span className="muted">({sourceLabel[view.defaultEndpoint.source]})</span>
        </span>
      </label>
      <label className="choice">
        <input type="radio" name="endpoint" checked={mode === 'custom'} onChange={() => setMode('custom')} />
        <span>Another endpoint</span>
      </label>
      <input
        className="endpoint-input mono"
        aria-label="Endpoint address"
        placeholder="unix:///var/run/docker.sock or tcp://127.0.0.1:2375"
        value={custom}
        disabled={mode !== 'custom'}
        onChange={(e) => setCustom(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${ids}-error` : undefined}
      />
      {error && (
        <p id={`${ids}-error`} className="inline-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={busy || (mode === 'custom' && !custom.trim())}>
          {busy ? 'Checking…' : 'Apply'}
        </button>
        <span className="muted in-use" data-testid="endpoint-in-use">
          In use: <code>{view.endpoint}</code>
        </span>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
    </form>
  );
}

function ThemeSettings() {
  const { preference, system, setPreference } = useStore(
    useShallow((s) => ({
      preference: s.themePreference,
      system: s.systemTheme,
      setPreference: s.setThemePreference,
    })),
  );
  const [error, setError] = useState<ContractError | null>(null);
  const options: { value: ThemePreference; label: string }[] = [
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
    { value: 'system', label: `System (now ${system})` },
  ];
  return (
    <fieldset className="card settings-card">
      <legend>Theme</legend>
      <div className="choices-row">
        {options.map((o) => (
          <label key={o.value} className="choice">
            <input
              type="radio"
              name="theme"
              value={o.value}
              checked={preference === o.value}
              onChange={async () => setError(await setPreference(o.value))}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      <ErrorBanner error={error} context="The theme is shown but not saved" />
    </fieldset>
  );
}

function LoginSettings({ view }: { view: SettingsView }) {
  const setStartAtLogin = useStore((s) => s.setStartAtLogin);
  const [error, setError] = useState<ContractError | null>(null);
  const reason = useId();
  const login = view.startAtLogin;
  return (
    <fieldset className="card settings-card">
      <legend>Start at login</legend>
      <label className="choice">
        <input
          type="checkbox"
          checked={login.available && login.enabled}
          disabled={!login.available}
          aria-describedby={login.available ? undefined : reason}
          onChange={async (e) => setError(await setStartAtLogin(e.target.checked))}
        />
        <span>Start Berth when I log in</span>
      </label>
      {!login.available && (
        <p id={reason} className="muted" data-testid="login-unavailable">
          Unavailable: <CodeText text={login.reason} />
        </p>
      )}
      <ErrorBanner error={error} context="Cannot change start at login" />
    </fieldset>
  );
}

export function SettingsScreen() {
  const { view, error, loadSettings, setEndpoint } = useStore(
    useShallow((s) => ({
      view: s.settings,
      error: s.settingsError,
      loadSettings: s.loadSettings,
      setEndpoint: s.setEndpoint,
    })),
  );
  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);

  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <ErrorBanner error={error} context="Cannot load the settings" />
      {view && <EndpointSettings view={view} apply={setEndpoint} />}
      <ThemeSettings />
      <MachineSettings />
      <ClusterCard settings />
      {view && <LoginSettings view={view} />}
      {view && (
        <p className="muted">
          Saved in <code>{view.file}</code>
        </p>
      )}
    </section>
  );
}
