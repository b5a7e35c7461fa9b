import { useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';

/** The registry an image reference lives on, as `docker login` names it: its first part when that is a host. */
export function registryOf(ref: string): string {
  const slash = ref.trim().indexOf('/');
  const first = slash >= 0 ? ref.trim().slice(0, slash) : '';
  return /[.:]/.test(first) || first === 'localhost' ? first : 'docker.io';
}

/**
 * `docker login` where a pull or push was refused: server, user and password. The password lives in
 * this form until it is sent; main keeps the login for the app session. `onLoggedIn` retries.
 * Not a <form> element: it may sit inside one (the run form), and forms do not nest.
 */
export function RegistryLogin({ server, onLoggedIn }: { server: string; onLoggedIn: () => void }) {
  const loginRegistry = useStore((s) => s.loginRegistry);
  const [values, setValues] = useState({ server, username: '', password: '' });
  const [error, setError] = useState<ContractError | null>(null);
  const [pending, setPending] = useState(false);
  const field = (name: keyof typeof values) => ({
    name,
    value: values[name],
    onChange: (e: { target: { value: string } }) => setValues((v) => ({ ...v, [name]: e.target.value })),
  });
  const submit = async () => {
    const missing = !values.server.trim()
      ? 'server'
      : !values.username.trim()
        ? 'username'
        : !values.password
          ? 'password'
          : '';
    if (missing) {
      setError({ kind: 'invalid_argument', code: 'ui.form', message: `the ${missing} is required` });
      return;
    }
    setPending(true);
    const err = await loginRegistry(values);
    setPending(false);
    setError(err);
    if (!err) {
      setValues((v) => ({ ...v, password: '' }));
      onLoggedIn();
    }
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a <form> cannot nest in the run form's own
    <div
      role="form"
      className="login-form run-form"
      aria-label="Log in to the registry"
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') {
          e.preventDefault();
          void submit();
        }
      }}
    >
      <p className="hint">
        The registry wants a login. Log in to try again; the app keeps it until it quits.
      </p>
      <ErrorBanner error={error} context="Cannot log in" />
      <div className="grid">
        <label>
          Server
          <input {...field('server')} spellCheck={false} className="mono" />
        </label>
        <label>
          Username
          <input {...field('username')} autoComplete="username" spellCheck={false} />
        </label>
        <label>
          Password
          <input {...field('password')} type="password" autoComplete="current-password" />
        </label>
      </div>
      <div className="row">
        <button type="button" className="primary" disabled={pending} onClick={() => void submit()}>
          {pending ? 'Logging in…' : 'Log in and retry'}
        </button>
      </div>
    </div>
  );
}
