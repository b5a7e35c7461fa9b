// The run form's repeating rows: port mappings (with the image's EXPOSEd ports offered) and volumes
// (an existing volume, a new one by name, or a host folder).
import { IconButton } from '../../ui/IconButton.tsx';
import { type PortRow, rowForExposed, type VolumeRow } from './run-request.ts';

export const emptyPortRow = (): PortRow => ({ host: '', container: '', protocol: 'tcp' });
export const emptyVolumeRow = (): VolumeRow => ({ kind: 'new', source: '', target: '', readOnly: false });

/** A change to the rows as a function of the rows then, so that quick edits never undo each other. */
type Update<T> = (change: (rows: T[]) => T[]) => void;

const patch =
  <T,>(i: number, p: Partial<T>) =>
  (rows: T[]): T[] =>
    rows.map((r, j) => (j === i ? { ...r, ...p } : r));
const drop =
  <T,>(i: number) =>
  (rows: T[]): T[] =>
    rows.filter((_, j) => j !== i);

export function PortRows({
  rows,
  exposed,
  onChange,
}: {
  rows: PortRow[];
  /** `80/tcp`…: what the image EXPOSEs. */
  exposed: string[];
  onChange: Update<PortRow>;
}) {
  const offered = exposed.filter(
    (p) => !rows.some((r) => `${r.container.trim()}/${r.protocol}` === p && r.container.trim()),
  );
  return (
    <fieldset className="wide rows" aria-label="Ports">
      <legend>Ports</legend>
      {rows.map((r, i) => {
        const n = i + 1;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and removed by position
          <div key={i} className="row-fields" data-testid="port-row">
            <input
              aria-label={`Host port ${n}`}
              placeholder="random"
              inputMode="numeric"
              value={r.host}
              onChange={(e) => onChange(patch<PortRow>(i, { host: e.target.value }))}
            />
            <span aria-hidden="true">→</span>
            <input
              aria-label={`Container port ${n}`}
              placeholder="80"
              inputMode="numeric"
              value={r.container}
              onChange={(e) => onChange(patch<PortRow>(i, { container: e.target.value }))}
            />
            <select
              aria-label={`Protocol ${n}`}
              value={r.protocol}
              onChange={(e) => onChange(patch<PortRow>(i, { protocol: e.target.value as 'tcp' | 'udp' }))}
            >
              <option value="tcp">tcp</option>
              <option value="udp">udp</option>
            </select>
            <IconButton
              icon="clear"
              label={`Remove port ${n}`}
              tip="Remove"
              onClick={() => onChange(drop(i))}
            />
          </div>
        );
      })}
      <div className="row-offers">
        <button type="button" className="small" onClick={() => onChange((rs) => [...rs, emptyPortRow()])}>
          Add port
        </button>
        {offered.length > 0 && <span className="muted">The image exposes:</span>}
        {offered.map((p) => (
          <button
            key={p}
            type="button"
            className="small mono"
            aria-label={`Publish ${p}`}
            onClick={() => onChange((rs) => [...rs.filter((r) => r.host || r.container), rowForExposed(p)])}
          >
            + {p}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

export function VolumeRows({
  rows,
  volumes,
  onChange,
}: {
  rows: VolumeRow[];
  /** Names of the engine's volumes. */
  volumes: string[];
  onChange: Update<VolumeRow>;
}) {
  return (
    <fieldset className="wide rows" aria-label="Volumes">
      <legend>Volumes</legend>
      {rows.map((r, i) => {
        const n = i + 1;
        const choice = r.kind === 'volume' ? `volume:${r.source}` : r.kind;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and removed by position
          <div key={i} className="row-fields" data-testid="volume-row">
            <select
              aria-label={`Source ${n}`}
              value={choice}
              onChange={(e) => {
                const v = e.target.value;
                if (v.startsWith('volume:'))
                  onChange(patch<VolumeRow>(i, { kind: 'volume', source: v.slice('volume:'.length) }));
                else onChange(patch<VolumeRow>(i, { kind: v as 'new' | 'host', source: '' }));
              }}
            >
              <option value="new">New volume…</option>
              <option value="host">Host folder…</option>
              {volumes.length > 0 && (
                <optgroup label="Volumes">
                  {volumes.map((v) => (
                    <option key={v} value={`volume:${v}`}>
                      {v}
                    </option>
                  ))}
                </optgroup>
              )}
            </select>
            {r.kind !== 'volume' && (
              <input
                aria-label={r.kind === 'host' ? `Host path ${n}` : `New volume name ${n}`}
                placeholder={r.kind === 'host' ? '/host/path' : 'name'}
                className="mono"
                value={r.source}
                spellCheck={false}
                onChange={(e) => onChange(patch<VolumeRow>(i, { source: e.target.value }))}
              />
            )}
            <span aria-hidden="true">→</span>
            <input
              aria-label={`Container path ${n}`}
              placeholder="/data"
              className="mono"
              value={r.target}
              spellCheck={false}
              onChange={(e) => onChange(patch<VolumeRow>(i, { target: e.target.value }))}
            />
            <label className="checkbox">
              <input
                type="checkbox"
                aria-label={`Read-only ${n}`}
                checked={r.readOnly}
                onChange={(e) => onChange(patch<VolumeRow>(i, { readOnly: e.target.checked }))}
              />
              read-only
            </label>
            <IconButton
              icon="clear"
              label={`Remove volume ${n}`}
              tip="Remove"
              onClick={() => onChange(drop(i))}
            />
          </div>
        );
      })}
      <div className="row-offers">
        <button type="button" className="small" onClick={() => onChange((rs) => [...rs, emptyVolumeRow()])}>
          Add volume
        </button>
      </div>
    </fieldset>
  );
}
