// The YAML editor and what applying it does: syntax errors marked as they are typed (nothing is sent
// while there is one), then "Apply" sends a dry run of every document (the server validates, nothing
// is stored) and shows the server's errors at their lines; only when all pass are they applied, and
// the result list says what was created, configured or left unchanged.
import { useMemo, useRef, useState } from 'react';
import type { ApplyResult, ContractError } from '../../../../../electron/contract/index.ts';
import { api } from '../../../api/client.ts';
import { ErrorBanner } from '../../../ui/ErrorBanner.tsx';
import { objectName, refused, resultMarks, summary, syntaxMarks } from './apply-model.ts';
import { YamlEditor, type YamlEditorHandle } from './YamlEditor.tsx';
import './apply.css';

type Phase = 'idle' | 'checking' | 'applying';

export interface ApplyPanelProps {
  context: string;
  /** For documents that name no namespace (else the context's). */
  namespace?: string;
  initialYaml?: string;
  /** An object's edit: its one document replaces it (PUT), as `kubectl edit` writes. */
  replace?: boolean;
  /** Called after a successful apply (an edit view closes itself). */
  onApplied?(results: ApplyResult[]): void;
}

export function ApplyPanel({
  context,
  namespace,
  initialYaml = '',
  replace = false,
  onApplied,
}: ApplyPanelProps) {
  const [text, setText] = useState(initialYaml);
  const [results, setResults] = useState<ApplyResult[] | null>(null);
  const [resultsFor, setResultsFor] = useState<string | null>(null);
  /** The results shown are a dry run's: what would happen, nothing stored. */
  const [dry, setDry] = useState(false);
  const [phase, setPhase] = useState<Phase>('idle');
  const [error, setError] = useState<ContractError | null>(null);
  const [verdict, setVerdict] = useState<{ kind: 'ok' | 'bad'; text: string } | null>(null);
  const editor = useRef<YamlEditorHandle>(null);
  const file = useRef<HTMLInputElement>(null);

  const syntax = useMemo(() => syntaxMarks(text), [text]);
  // The server's marks belong to the text they were made for: an edit takes them away.
  const serverMarks = results && resultsFor === text ? resultMarks(results) : [];
  const marks = syntax.length ? syntax : serverMarks;

  const send = async (dryRun: boolean): Promise<ApplyResult[] | null> => {
    const r = await api().invoke('kube.apply', {
      context,
      yaml: text,
      dryRun,
      ...(replace ? { replace } : {}),
      ...(namespace ? { namespace } : {}),
    });
    if (!r.ok) {
      setError(r.error);
      return null;
    }
    setResults(r.value);
    setResultsFor(text);
    setDry(dryRun);
    return r.value;
  };

  const run = async (apply: boolean) => {
    setError(null);
    setVerdict(null);
    if (syntax.length) {
      setVerdict({ kind: 'bad', text: `Fix the YAML first (line ${syntax[0].line}): nothing was sent` });
      return;
    }
    setPhase('checking');
    try {
      const checked = await send(true);
      if (!checked) return;
      if (refused(checked)) {
        setVerdict({ kind: 'bad', text: 'The server refused the dry run: nothing was applied' });
        // The first line the server refused, in view.
        const first = resultMarks(checked)[0];
        if (first) editor.current?.goToLine(first.line);
        return;
      }
      if (!apply) {
        setVerdict({ kind: 'ok', text: `Dry run passed: ${summary(checked)}` });
        return;
      }
      setPhase('applying');
      const applied = await send(false);
      if (!applied) return;
      if (refused(applied)) setVerdict({ kind: 'bad', text: `Applied with failures: ${summary(applied)}` });
      else {
        setVerdict({ kind: 'ok', text: `Applied: ${summary(applied)}` });
        onApplied?.(applied);
      }
    } finally {
      setPhase('idle');
    }
  };

  const openFile = async (f: File | undefined) => {
    if (!f) return;
    setText(await f.text());
    setResults(null);
    setVerdict(null);
  };

  const busy = phase !== 'idle';
  return (
    <div className="apply-panel">
      <div className="toolbar apply-bar">
        <button
          type="button"
          className="primary"
          disabled={busy || !text.trim()}
          onClick={() => void run(true)}
        >
          {phase === 'checking' ? 'Checking…' : phase === 'applying' ? 'Applying…' : 'Apply'}
        </button>
        <button type="button" disabled={busy || !text.trim()} onClick={() => void run(false)}>
          Dry run
        </button>
        <button type="button" disabled={busy} onClick={() => file.current?.click()}>
          Open file…
        </button>
        <input
          ref={file}
          type="file"
          accept=".yaml,.yml,.json,text/yaml,application/json"
          hidden
          aria-label="YAML file"
          onChange={(e) => {
            void openFile(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <span className="muted">
          Context <strong>{context}</strong>
          {namespace ? (
            <>
              {' '}
              · namespace <strong>{namespace}</strong>
            </>
          ) : null}
        </span>
      </div>
      <ErrorBanner error={error} context="Cannot apply" />
      <YamlEditor ref={editor} value={text} onChange={setText} marks={marks} label="YAML" />
      {marks.length > 0 && (
        <ul className="apply-marks" aria-label="Problems">
          {marks.map((m) => (
            <li key={`${m.line}:${m.message}`} className={`apply-mark ${m.source}`}>
              <button type="button" className="link" onClick={() => editor.current?.goToLine(m.line)}>
                Line {m.line}
              </button>{' '}
              {m.message}
            </li>
          ))}
        </ul>
      )}
      {verdict && (
        <p className={`apply-verdict ${verdict.kind}`} role="status">
          {verdict.text}
        </p>
      )}
      {results && results.length > 0 && (
        <table className="apply-results" aria-label="Apply results" data-dry-run={dry}>
          {dry && <caption className="muted">Dry run: what the server would do; nothing was stored.</caption>}
          <thead>
            <tr>
              <th>Object</th>
              <th>Outcome</th>
              <th>Line</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.index} data-outcome={r.outcome}>
                <td className="mono">{objectName(r)}</td>
                <td>
                  <span className={`badge outcome-${r.outcome}`}>
                    {dry && r.outcome !== 'failed' && r.outcome !== 'invalid'
                      ? `would be ${r.outcome}`
                      : r.outcome}
                  </span>
                </td>
                <td>
                  <button type="button" className="link" onClick={() => editor.current?.goToLine(r.line)}>
                    {r.line}
                  </button>
                </td>
                <td>
                  {r.message}
                  {r.causes && r.causes.length > 0 && (
                    <ul className="apply-causes">
                      {r.causes.map((c) => (
                        <li key={`${c.field}:${c.message}`}>
                          {c.line ? `line ${c.line}: ` : ''}
                          {c.field ? <code>{c.field}</code> : null} {c.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
