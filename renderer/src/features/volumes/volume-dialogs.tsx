// What the confirmation dialogs of the volumes screen say: what goes and what it holds.
import { useState } from 'react';
import type { VolumeSummary } from '../../../../electron/contract/index.ts';
import { formatBytes } from '../../ui/format.ts';

const anonymousLabel = 'com.docker.volume.anonymous';

/** Anonymous volumes are named by 64 hex digits: show a prefix, as for ids. */
export function displayName(name: string): string {
  return /^[0-9a-f]{64}$/.test(name) ? `${name.slice(0, 12)}…` : name;
}

export function isAnonymous(v: VolumeSummary): boolean {
  return anonymousLabel in v.labels || /^[0-9a-f]{64}$/.test(v.name);
}

function users(v: VolumeSummary): string {
  return `${v.usedBy.length === 1 ? 'container' : 'containers'} ${v.usedBy.join(', ')}`;
}

/** One volume: its size and its users. */
export function RemoveVolumeBody({ volume }: { volume: VolumeSummary }) {
  return (
    <>
      <p data-testid="confirm-volume-size">
        {volume.size === undefined
          ? 'Its data is deleted for good.'
          : volume.size === 0
            ? 'It holds no data (0 B).'
            : `Its data (${formatBytes(volume.size)}) is deleted for good.`}
      </p>
      {volume.usedBy.length > 0 && (
        <p data-testid="confirm-volume-users">
          Used by {users(volume)}. The engine refuses to remove a volume while a container uses it, running or
          not: remove the container first.
        </p>
      )}
    </>
  );
}

/** An item of the bulk dialog's list: the name, its size and users. */
export function volumeItem(v: VolumeSummary): string {
  const facts = [
    v.size === undefined ? '' : formatBytes(v.size),
    v.usedBy.length ? `used by ${v.usedBy.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return facts ? `${displayName(v.name)} (${facts})` : displayName(v.name);
}

export function RemoveVolumesBody({ volumes }: { volumes: VolumeSummary[] }) {
  const known = volumes.filter((v) => v.size !== undefined);
  const total = known.reduce((n, v) => n + (v.size ?? 0), 0);
  return (
    <p>
      Their data{known.length ? ` (${formatBytes(total)} in all)` : ''} is deleted for good. The engine
      refuses to remove a volume a container uses.
    </p>
  );
}

/** The prune dialog's body: the choice of named volumes, and the list of what goes with it. */
export function PruneVolumesBody({
  volumes,
  onAll,
}: {
  volumes: VolumeSummary[];
  onAll: (all: boolean) => void;
}) {
  const [all, setAll] = useState(false);
  const going = volumes.filter((v) => v.usedBy.length === 0 && (all || isAnonymous(v)));
  return (
    <>
      <p>Removes volumes that no container uses. Their data is lost.</p>
      <label className="inline">
        <input
          type="checkbox"
          checked={all}
          onChange={(e) => {
            setAll(e.target.checked);
            onAll(e.target.checked);
          }}
        />{' '}
        Named volumes too (otherwise only anonymous ones)
      </label>
      {going.length === 0 ? (
        <p className="muted">No volume would be removed now.</p>
      ) : (
        <ul className="confirm-items" data-testid="prune-items">
          {going.map((v) => (
            <li key={v.name} className="mono">
              {volumeItem(v)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
