// A secret's keys with their values hidden: "Show" fetches one value (`kube.secretValue`) and shows it
// until hidden again; "Copy" fetches it onto the clipboard without ever drawing it.
import { useState } from 'react';
import type { ConfigRow } from '../../../../../electron/contract/index.ts';
import { useStore } from '../../../store/index.ts';
import { copyText } from '../../../ui/copy-text.ts';

type Shown = { value: string; binary: boolean };

export function SecretData({ row, context }: { row: ConfigRow; context: string }) {
  const kubeCall = useStore((s) => s.kubeCall);
  const report = useStore((s) => s.report);
  const [shown, setShown] = useState<Record<string, Shown>>({});
  const fetchValue = (key: string) =>
    kubeCall('kube.secretValue', { context, namespace: row.namespace, name: row.name, key });

  const show = async (key: string) => {
    const r = await fetchValue(key);
    if (!r.ok) return report('', r.error, `Cannot read ${key}`);
    setShown((cur) => ({ ...cur, [key]: r.value }));
  };
  const hide = (key: string) =>
    setShown((cur) => {
      const { [key]: _gone, ...rest } = cur;
      return rest;
    });
  const copy = async (key: string) => {
    const r = await fetchValue(key);
    if (!r.ok) return report('', r.error, `Cannot read ${key}`);
    const why = await copyText(r.value.value);
    report(
      `Copied ${key}.`,
      why ? { kind: 'internal', code: 'clipboard', message: why } : null,
      `Cannot copy ${key}`,
    );
  };

  if (row.keys.length === 0) return <p className="empty">No data.</p>;
  return (
    <dl className="kube-data">
      {[...row.keys].sort().map((k) => {
        const v = shown[k];
        return (
          <div key={k} data-testid="secret-key" data-key={k}>
            <dt className="mono">
              {k}{' '}
              {v ? (
                <button type="button" className="small" aria-label={`Hide ${k}`} onClick={() => hide(k)}>
                  Hide
                </button>
              ) : (
                <button type="button" className="small" aria-label={`Show ${k}`} onClick={() => void show(k)}>
                  Show
                </button>
              )}{' '}
              <button type="button" className="small" aria-label={`Copy ${k}`} onClick={() => void copy(k)}>
                Copy
              </button>
            </dt>
            <dd>
              {v ? (
                <pre className="kube-value" data-testid="secret-value">
                  {v.binary ? `(binary, ${v.value.length} characters of base64)\n${v.value}` : v.value}
                </pre>
              ) : (
                <span className="muted" data-testid="secret-hidden">
                  <span aria-hidden="true">••••••••</span>
                  <span className="visually-hidden">hidden</span>
                </span>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
