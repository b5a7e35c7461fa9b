// Disk use by type, as `docker system df` prints it, and cleaning up (as `docker system prune`).
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../../store/index.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { dockerSize } from '../../ui/format.ts';
import { diskTypeScreen, reclaimableText } from './disk-usage.ts';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function DiskUsageCard() {
  const s = useStore(
    useShallow((st) => ({
      rows: st.diskUsage,
      error: st.diskUsageError,
      navigate: st.navigate,
      confirm: st.confirm,
      notify: st.notify,
      prune: st.pruneEngine,
    })),
  );
  const [busy, setBusy] = useState(false);

  const cleanUp = async () => {
    const ok = await s.confirm({
      title: 'Clean up the engine?',
      body: (
        <p>
          Removes what <code>docker system prune</code> removes: every stopped container, every network no
          container uses, dangling images (those without a tag) and the build cache. Volumes stay.
        </p>
      ),
      confirmLabel: 'Clean up',
    });
    if (!ok) return;
    setBusy(true);
    const r = await s.prune();
    setBusy(false);
    if ('kind' in r) {
      s.notify({ kind: 'error', message: 'Cannot clean up the engine', detail: r.message });
      return;
    }
    s.notify({
      kind: 'success',
      message: `Cleaned up: reclaimed ${dockerSize(r.spaceReclaimed)}`,
      detail: `Removed ${plural(r.containers.length, 'container')}, ${plural(r.networks.length, 'network')} and ${plural(r.images.length, 'image')}.`,
    });
  };

  return (
    <div className="card disk-card">
      <div className="disk-head">
        <h2 id="disk-usage-title">Disk use</h2>
        <button type="button" className="danger" onClick={() => void cleanUp()} disabled={busy}>
          {busy ? 'Cleaning up…' : 'Clean up…'}
        </button>
      </div>
      <ErrorBanner error={s.error} context="Cannot read the disk use" />
      {s.rows ? (
        <table className="list disk-table" aria-labelledby="disk-usage-title">
          <thead>
            <tr>
              <th>Type</th>
              <th className="num">Total</th>
              <th className="num">Active</th>
              <th className="num">Size</th>
              <th className="num">Reclaimable</th>
            </tr>
          </thead>
          <tbody>
            {s.rows.map((row) => {
              const route = diskTypeScreen[row.type];
              return (
                <tr key={row.type} data-type={row.type}>
                  <th scope="row">
                    {route ? (
                      <button type="button" className="link" onClick={() => s.navigate(route)}>
                        {row.type}
                      </button>
                    ) : (
                      row.type
                    )}
                  </th>
                  <td className="num">{row.total}</td>
                  <td className="num">{row.active}</td>
                  <td className="num">{dockerSize(row.size)}</td>
                  <td className="num">{reclaimableText(row)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        !s.error && <p className="muted">Measuring…</p>
      )}
    </div>
  );
}
