// `docker inspect` of a container as sections a person reads: general facts, environment, mounts,
// ports, networks and labels, each row with what its copy button copies.

export interface InspectRow {
  key: string;
  value: string;
  /** What Copy puts on the clipboard: `KEY=value` for the environment, the value elsewhere. */
  copy: string;
}

export interface InspectSection {
  id: 'general' | 'env' | 'mounts' | 'ports' | 'networks' | 'labels';
  title: string;
  rows: InspectRow[];
  /** Said when the section has no rows. */
  empty: string;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const argv = (v: unknown): string =>
  list(v)
    .map((a) => {
      const s = str(a);
      return /[\s"']/.test(s) ? JSON.stringify(s) : s;
    })
    .join(' ');
const zeroTime = (t: string) => !t || t.startsWith('0001-01-01');
const row = (key: string, value: string, copy = value): InspectRow => ({ key, value, copy });

function general(raw: Json): InspectRow[] {
  const config = obj(raw.Config);
  const state = obj(raw.State);
  const host = obj(raw.HostConfig);
  const restart = obj(host.RestartPolicy);
  const health = obj(state.Health);
  const rows: InspectRow[] = [
    row('Id', str(raw.Id)),
    row('Image', str(config.Image) || str(raw.Image)),
    row('Command', argv(config.Cmd)),
  ];
  if (list(config.Entrypoint).length) rows.push(row('Entrypoint', argv(config.Entrypoint)));
  if (str(config.WorkingDir)) rows.push(row('Working dir', str(config.WorkingDir)));
  if (str(config.User)) rows.push(row('User', str(config.User)));
  const policy = str(restart.Name) || 'no';
  const retries = Number(restart.MaximumRetryCount ?? 0);
  rows.push(row('Restart policy', policy === 'on-failure' && retries > 0 ? `${policy}:${retries}` : policy));
  if (Number(raw.RestartCount ?? 0) > 0) rows.push(row('Restarts', str(raw.RestartCount)));
  rows.push(row('State', str(state.Status)));
  rows.push(row('Created', str(raw.Created)));
  if (!zeroTime(str(state.StartedAt))) rows.push(row('Started', str(state.StartedAt)));
  if (!zeroTime(str(state.FinishedAt))) {
    rows.push(row('Finished', str(state.FinishedAt)));
    rows.push(row('Exit code', str(state.ExitCode)));
  }
  if (state.OOMKilled === true) rows.push(row('OOM killed', 'yes'));
  if (str(state.Error)) rows.push(row('Error', str(state.Error)));
  if (str(health.Status)) {
    rows.push(row('Health', `${str(health.Status)} (failing streak ${str(health.FailingStreak ?? 0)})`));
    const last = obj(list(health.Log).at(-1));
    if (Object.keys(last).length) {
      rows.push(
        row('Last health check', `exit ${str(last.ExitCode)}: ${str(last.Output).trim() || '(no output)'}`),
      );
    }
  }
  const check = list(obj(config.Healthcheck).Test);
  if (check.length) rows.push(row('Healthcheck', argv(check)));
  return rows;
}

function env(raw: Json): InspectRow[] {
  return list(obj(raw.Config).Env).map((e) => {
    const s = str(e);
    const eq = s.indexOf('=');
    return eq < 0 ? row(s, '', s) : row(s.slice(0, eq), s.slice(eq + 1), s);
  });
}

function mounts(raw: Json): InspectRow[] {
  return list(raw.Mounts).map((m) => {
    const mount = obj(m);
    const source = str(mount.Name) || str(mount.Source);
    const dest = str(mount.Destination);
    const ro = mount.RW === false;
    return row(
      dest,
      `${source || '(anonymous)'} · ${str(mount.Type) || 'bind'}${ro ? ', read-only' : ''}`,
      `${source}:${dest}${ro ? ':ro' : ''}`,
    );
  });
}

function ports(raw: Json): InspectRow[] {
  const out: InspectRow[] = [];
  for (const [port, bindings] of Object.entries(obj(obj(raw.NetworkSettings).Ports))) {
    const hosts = list(bindings).map((b) => {
      const x = obj(b);
      return `${str(x.HostIp) || '0.0.0.0'}:${str(x.HostPort)}`;
    });
    out.push(hosts.length ? row(port, hosts.join(', '), hosts[0]) : row(port, 'not published', port));
  }
  return out.sort((a, b) => parseInt(a.key, 10) - parseInt(b.key, 10));
}

function networks(raw: Json): InspectRow[] {
  return Object.entries(obj(obj(raw.NetworkSettings).Networks)).map(([name, n]) => {
    const net = obj(n);
    const ip = str(net.IPAddress);
    const aliases = list(net.Aliases).map(str).filter(Boolean);
    return row(
      name,
      `${ip || '(no address)'}${str(net.Gateway) ? ` via ${str(net.Gateway)}` : ''}${aliases.length ? ` · aliases ${aliases.join(', ')}` : ''}`,
      ip,
    );
  });
}

function labels(raw: Json): InspectRow[] {
  return Object.entries(obj(obj(raw.Config).Labels))
    .map(([k, v]) => row(k, str(v), `${k}=${str(v)}`))
    .sort((a, b) => a.key.localeCompare(b.key));
}

export function inspectSections(raw: Record<string, unknown>): InspectSection[] {
  return [
    { id: 'general', title: 'General', rows: general(raw), empty: '' },
    { id: 'env', title: 'Environment', rows: env(raw), empty: 'No environment variables.' },
    { id: 'mounts', title: 'Mounts', rows: mounts(raw), empty: 'No volumes or bind mounts.' },
    { id: 'ports', title: 'Ports', rows: ports(raw), empty: 'No ports exposed.' },
    { id: 'networks', title: 'Networks', rows: networks(raw), empty: 'Not on any network.' },
    { id: 'labels', title: 'Labels', rows: labels(raw), empty: 'No labels.' },
  ];
}

/** The rows whose key or value holds `query` (any case); sections without one are left out. */
export function searchSections(sections: InspectSection[], query: string): InspectSection[] {
  const q = query.trim().toLowerCase();
  if (!q) return sections;
  return sections
    .map((s) => ({
      ...s,
      rows: s.rows.filter((r) => r.key.toLowerCase().includes(q) || r.value.toLowerCase().includes(q)),
    }))
    .filter((s) => s.rows.length > 0);
}
