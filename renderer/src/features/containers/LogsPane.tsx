// The log view: a container's log, or the logs of several merged in time order: up to a million
// lines, of which only those on screen are drawn, in their terminal colours. Long lines wrap (rows
// measured, so none overlaps the next) or scroll sideways. New lines keep the view at the bottom while
// it is there; search finds every matching line, highlights the query and steps through the matches
// (Enter, Shift+Enter). Copy, Download, and Clear, which hides the lines so far without deleting them.
import { type ReactNode, type RefObject, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useStore } from '../../store/index.ts';
import { AnsiText } from '../../ui/AnsiText.tsx';
import { ansiColorCss } from '../../ui/ansi.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { shortId } from '../../ui/format.ts';
import { saveFile } from '../../ui/save-file.ts';
import { useMeasuredRows } from '../../ui/use-measured-rows.ts';
import { LogToolbar } from './LogToolbar.tsx';
import {
  clearMark,
  logFileName,
  logText,
  setClearMark,
  sinceAfter,
  sinceAt,
  sinceDate,
} from './log-actions.ts';
import { type LogModel, matchRanges, type ShownLine } from './log-buffer.ts';
import { MergedLog, sourceColours } from './log-merge.ts';
import { type LogOpener, maxLines, useLogFeed } from './use-log-feed.ts';
import './logs.css';

/** Must match `.log-view .log-line` in logs.css. */
const lineHeight = 18;
/** The rows' padding, left and right together (logs.css). */
const rowPadding = 20;
const wrapSetting = 'berth.logs.wrap';

export type LogsViewProps =
  | {
      id: string;
      /** Another log than the container's `id` (a pod container's): `id` then only keys the view. */
      open?: LogOpener;
      /** What the view and a download are called, when not a container's name. */
      label?: string;
    }
  | {
      /** Containers whose logs are merged, each line prefixed with its source's label. */
      sources: { id: string; label: string }[];
      /** What a download is named after (the project). */
      name?: string;
    };

/** Position of the first match at or after `line` (matches.length when none). */
function firstAtOrAfter(matches: number[], line: number): number {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (matches[mid] < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const storage = (): Storage | null => (typeof localStorage === 'undefined' ? null : localStorage);

function LogRow({
  index,
  line,
  query,
  current,
  timestamps,
  prefix,
}: {
  index: number;
  line: ShownLine;
  query: string;
  current: boolean;
  timestamps: boolean;
  prefix?: { text: string; colour: number };
}) {
  return (
    <div
      className={`log-line ${line.stderr ? 'stderr' : 'stdout'}${current ? ' current' : ''}`}
      data-line={index + 1}
      data-index={index}
    >
      {prefix && (
        <span className="log-src" style={{ color: ansiColorCss(prefix.colour) }}>
          {prefix.text}
        </span>
      )}
      {timestamps && line.timestamp && <span className="ts">{line.timestamp} </span>}
      <AnsiText
        text={line.text}
        styled={line.styled}
        sgr={line.sgr}
        ranges={matchRanges(line.text, query)}
        current={current}
      />
    </div>
  );
}

/** The width of one character of the log's font, measured once on a probe of 100 of them. */
function useCharWidth(probe: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const w = probe.current?.getBoundingClientRect().width ?? 0;
    if (w > 0) setWidth(w / 100);
  }, [probe]);
  return width;
}

export function LogsPane(props: LogsViewProps & { aside?: ReactNode }) {
  const merged = 'sources' in props;
  const sources = merged ? props.sources : [{ id: props.id, label: '' }];
  const ids = sources.map((s) => s.id);
  const viewKey = merged ? `sources:${[...ids].sort().join(',')}` : props.id;
  const containerName = useStore((s) =>
    merged ? undefined : s.containers.find((c) => c.id === props.id || c.name === props.id)?.name,
  );
  const notify = useStore((s) => s.notify);

  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [wrap, setWrap] = useState(() => storage()?.getItem(wrapSetting) !== 'off');
  const [query, setQuery] = useState('');
  const [currentLine, setCurrentLine] = useState(-1);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [clears, setClears] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read again after each clear
  const since = useMemo(() => {
    const store = storage();
    return store ? clearMark(store, viewKey) : undefined;
  }, [viewKey, clears]);
  const open = merged ? undefined : props.open;
  const { model, loading, errors } = useLogFeed(ids, { merged, follow, timestamps, since, open });

  const labelWidth = merged ? Math.max(0, ...sources.map((s) => s.label.length)) : 0;
  const labels = sources.map((s) => s.label).join('\n');
  const colours = useMemo(() => sourceColours(labels.split('\n')), [labels]);
  const prefixOf = (k: number) => `${(sources[k]?.label ?? '').padEnd(labelWidth)} | `;
  if (model instanceof MergedLog) model.setShown(sources.map((s) => !hidden.has(s.label)));

  const box = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  /** At the bottom: arriving lines keep the view there. */
  const stick = useRef(true);
  // The log asked for again (other sources, Follow, Timestamps, a clear): it opens at its end again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the stream restarts
  useLayoutEffect(() => {
    stick.current = true;
  }, [viewKey, follow, merged || timestamps, since]);
  const charWidth = useCharWidth(probe);
  // Another model (the whole log taking over from its last lines, a clear): every row is new.
  const modelIds = useRef({ ids: new WeakMap<LogModel, number>(), next: 1 });
  if (!modelIds.current.ids.has(model)) modelIds.current.ids.set(model, modelIds.current.next++);

  const count = model.length;
  const changedFrom = model.takeRewrite();
  const prefixLength = merged ? labelWidth + 3 : 0;
  const list = useMeasuredRows({
    box,
    count,
    layout: (width) => {
      const cols = charWidth > 0 ? Math.floor((width - rowPadding) / charWidth) : 0;
      const key = `${modelIds.current.ids.get(model)}:${charWidth}:${prefixLength}:${timestamps}`;
      if (!wrap || cols < 8) return { estimate: null, key };
      const estimate = (i: number) =>
        lineHeight * Math.max(1, Math.ceil((prefixLength + model.shownLength(i, timestamps)) / cols));
      return { estimate, key };
    },
    changedFrom,
    rowHeight: lineHeight,
    stick,
  });

  const matches = model.search(query);
  const matchPos = currentLine >= 0 ? firstAtOrAfter(matches, currentLine) : -1;
  const onMatch = matchPos >= 0 && matches[matchPos] === currentLine;

  const reveal = (line: number) => {
    setCurrentLine(line);
    if (line >= 0) list.reveal(line);
  };

  // A new query goes to the match nearest to what is on screen: the first one from the top line down.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new query moves to a match
  useLayoutEffect(() => {
    if (!query) return setCurrentLine(-1);
    const found = model.search(query);
    if (found.length === 0) return setCurrentLine(-1);
    const at = firstAtOrAfter(found, list.topRow());
    reveal(found[Math.min(at, found.length - 1)]);
  }, [query]);

  const step = (dir: 1 | -1) => {
    if (matches.length === 0) return;
    let pos: number;
    if (!onMatch) pos = dir === 1 ? matchPos : matchPos - 1;
    else pos = matchPos + dir;
    reveal(matches[(pos + matches.length) % matches.length]);
  };

  const plainText = () => logText(model, { timestamps, prefix: merged ? prefixOf : undefined });

  const copy = async () => {
    const selection = window.getSelection();
    const selected =
      selection && !selection.isCollapsed && box.current?.contains(selection.anchorNode)
        ? selection.toString()
        : '';
    try {
      await navigator.clipboard.writeText(selected || plainText());
      notify({
        kind: 'success',
        message: selected
          ? 'Copied the selected text'
          : `Copied ${count.toLocaleString('en-US')} line${count === 1 ? '' : 's'}`,
      });
    } catch (err) {
      notify({ kind: 'error', message: 'Could not copy the logs', detail: (err as Error).message });
    }
  };

  const download = () => {
    const name = merged ? (props.name ?? 'logs') : (containerName ?? props.label ?? shortId(props.id));
    const file = logFileName(name, new Date());
    const text = plainText();
    saveFile(file, new TextEncoder().encode(text ? `${text}\n` : ''));
    notify({ kind: 'success', message: `Saved ${count.toLocaleString('en-US')} lines as ${file}` });
  };

  const remember = (mark: string | undefined) => {
    const store = storage();
    if (store) setClearMark(store, viewKey, mark);
    stick.current = true;
    setCurrentLine(-1);
    setClears((c) => c + 1);
  };

  const clear = () => {
    // After the last line shown, by the engine's clock when the lines carry its timestamps.
    const last = count > 0 ? model.line(count - 1).timestamp : undefined;
    const previous = since;
    remember((last && sinceAfter(last)) || sinceAt(Date.now()));
    notify({
      kind: 'info',
      message: 'Log view cleared',
      detail: 'The container’s log is kept: new lines show from here on, also when the view opens again.',
      undo: () => remember(previous),
    });
  };

  const w = list.window;
  const rows = [];
  for (let i = w.start; i < w.end; i++) {
    const line = model.line(i);
    rows.push(
      <LogRow
        key={i}
        index={i}
        line={line}
        query={query}
        current={i === currentLine && onMatch}
        timestamps={timestamps}
        prefix={
          line.source !== undefined
            ? { text: prefixOf(line.source), colour: colours[line.source] }
            : undefined
        }
      />,
    );
  }

  return (
    <div className="logs">
      <LogToolbar
        query={query}
        onQuery={setQuery}
        onStep={step}
        hasMatches={matches.length > 0}
        follow={follow}
        onFollow={setFollow}
        timestamps={timestamps}
        onTimestamps={setTimestamps}
        wrap={wrap}
        onWrap={(on) => {
          setWrap(on);
          storage()?.setItem(wrapSetting, on ? 'on' : 'off');
        }}
        onCopy={() => void copy()}
        onDownload={download}
        onClear={clear}
      />
      {merged && (
        <fieldset className="log-sources">
          <legend className="muted">Show:</legend>
          {sources.map((s, k) => (
            <label key={s.id} className="inline log-source">
              <input
                type="checkbox"
                checked={!hidden.has(s.label)}
                onChange={(e) => {
                  const next = new Set(hidden);
                  if (e.target.checked) next.delete(s.label);
                  else next.add(s.label);
                  stick.current = true;
                  setCurrentLine(-1);
                  setHidden(next);
                }}
              />{' '}
              <span style={{ color: ansiColorCss(colours[k]) }}>{s.label}</span>
            </label>
          ))}
        </fieldset>
      )}
      {errors.map((e, k) => (
        <ErrorBanner
          // biome-ignore lint/suspicious/noArrayIndexKey: one banner per source, by position
          key={k}
          error={e}
          context={merged ? `Logs of ${sources[k]?.label ?? ''}` : 'Logs'}
        />
      ))}
      <div
        className={`log-box log-view mono ${wrap ? 'wrap' : 'nowrap'}`}
        ref={box}
        role="log"
        aria-live="off"
        aria-label={merged ? 'Project logs' : props.label ? `Logs of ${props.label}` : 'Container logs'}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls with the keyboard
        tabIndex={0}
        onScroll={list.onScroll}
        onWheel={list.release}
        onPointerDown={list.release}
        onKeyDown={list.release}
      >
        <span className="log-probe" aria-hidden="true">
          <span ref={probe}>{'0'.repeat(100)}</span>
        </span>
        {count === 0 && (
          <div className="muted log-empty">
            {since ? 'No output since the view was cleared.' : 'No output yet.'}
          </div>
        )}
        <div className="log-track" style={{ height: w.totalHeight }}>
          <div className="log-rows" style={{ transform: `translateY(${w.offset}px)` }}>
            {rows}
          </div>
        </div>
      </div>
      <div className="muted log-status">
        {props.aside}
        {since && (
          <span className="log-cleared">
            Cleared at {sinceDate(since).toLocaleTimeString()}{' '}
            <button type="button" className="link" onClick={() => remember(undefined)}>
              Show all
            </button>
          </span>
        )}
        <span className="spacer" />
        {query && (
          <>
            <span data-testid="log-matches">
              {matches.length.toLocaleString('en-US')} matching line(s)
              {loading && ' so far'}
            </span>
            {onMatch && (
              <span data-testid="log-current">
                {`${(matchPos + 1).toLocaleString('en-US')} of ${matches.length.toLocaleString('en-US')}`}
              </span>
            )}
          </>
        )}
        <span data-testid="log-count">
          {loading
            ? `last ${count.toLocaleString('en-US')} lines; loading the rest…`
            : `${count.toLocaleString('en-US')} line${count === 1 ? '' : 's'}`}
          {!loading && model.dropped > 0 && ` (the last ${maxLines.toLocaleString('en-US')})`}
        </span>
      </div>
    </div>
  );
}
