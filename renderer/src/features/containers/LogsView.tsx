// A container's log: up to a million lines, of which only those on screen are drawn. New lines keep
// the view at the bottom while it is there; search finds every matching line, highlights the query
// and steps through the matches (Enter, Shift+Enter).
import { Fragment, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ContractError } from '../../../../electron/contract/index.ts';
import { api } from '../../api/client.ts';
import { ErrorBanner } from '../../ui/ErrorBanner.tsx';
import { scrollTopFor, visibleWindow } from '../../ui/windowing.ts';
import { LogBuffer, matchRanges } from './log-buffer.ts';
import './logs.css';

/** Lines kept (and asked for): the last million. */
const maxLines = 1_000_000;
/** The last lines, fetched first so that the view opens at once on a log of any length. */
const previewLines = 1000;
/** Must match `.log-view .log-line` in logs.css. */
const lineHeight = 18;
/** New lines show within this; a stream of batches costs a render per this, not per batch. */
const redrawMs = 100;

function Highlighted({ text, query, current }: { text: string; query: string; current: boolean }) {
  const ranges = matchRanges(text, query);
  if (ranges.length === 0) return <>{text}</>;
  let at = 0;
  return (
    <>
      {ranges.map(([s, e]) => {
        const before = text.slice(at, s);
        at = e;
        return (
          <Fragment key={s}>
            {before}
            <mark className={current ? 'current' : undefined}>{text.slice(s, e)}</mark>
          </Fragment>
        );
      })}
      {text.slice(at)}
    </>
  );
}

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

export function LogsView({ id }: { id: string }) {
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  const [currentLine, setCurrentLine] = useState(-1);
  const [error, setError] = useState<ContractError | null>(null);
  const [, setVersion] = useState(0);
  const [buffer, setBuffer] = useState(() => new LogBuffer(false, maxLines));
  /** Showing the last lines while the whole log loads. */
  const [loading, setLoading] = useState(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const box = useRef<HTMLDivElement>(null);
  /** At the bottom: arriving lines keep the view there. */
  const stick = useRef(true);

  // Timestamps are asked for only while shown: they triple what the engine sends for a short line.
  // The view opens on the last lines, fetched on their own (the engine finds them from the end of the
  // log), while the whole log streams in beside them; it takes over once it has reached them.
  useEffect(() => {
    const preview = new LogBuffer(timestamps, maxLines);
    const full = new LogBuffer(timestamps, maxLines);
    let shown = preview;
    let previewDone = false;
    setBuffer(preview);
    setLoading(true);
    setError(null);
    stick.current = true;
    // Lines arrive in many batches (a big log in hundreds): the view redraws on the next frame, but
    // not more often than every redrawMs, so taking in a million lines is not a hundred renders.
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const redraw = () => {
      frame = 0;
      timer = undefined;
      last = performance.now();
      setVersion((v) => v + 1);
    };
    const schedule = () => {
      if (frame || timer) return;
      const wait = last + redrawMs - performance.now();
      if (wait > 0) timer = setTimeout(() => (frame = requestAnimationFrame(redraw)), wait);
      else frame = requestAnimationFrame(redraw);
    };
    let stopPreview = () => {};
    const takeOver = () => {
      if (shown === full) return;
      shown = full;
      stopPreview();
      setBuffer(full);
      setLoading(false);
    };
    stopPreview = api().subscribe(
      'containers.logs',
      { id, follow: false, timestamps, tail: previewLines },
      (m) => {
        if (shown !== preview) return;
        if (m.type === 'event') {
          preview.append(m.event);
          schedule();
        } else {
          previewDone = true;
          if (m.error) setError(m.error);
          else if (full.caughtUp(preview)) takeOver();
        }
      },
    );
    const stop = api().subscribe('containers.logs', { id, follow, timestamps, tail: maxLines }, (m) => {
      if (m.type === 'event') {
        const from = full.length;
        full.append(m.event);
        if (shown === preview && previewDone && full.caughtUp(preview, from)) takeOver();
        if (shown === full) schedule();
      } else {
        // The whole log is in (not following), or the stream failed: show what there is.
        takeOver();
        if (m.error) setError(m.error);
      }
    });
    return () => {
      stop();
      stopPreview();
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [id, follow, timestamps]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    setViewport(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const count = buffer.length;
  const matches = buffer.search(query);
  const matchPos = currentLine >= 0 ? firstAtOrAfter(matches, currentLine) : -1;
  const onMatch = matchPos >= 0 && matches[matchPos] === currentLine;

  // Every render that shows more lines keeps a view at the bottom there (renders other than the
  // per-frame redraw can show new lines too: the buffer fills between frames).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs whenever the line count changes
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !stick.current) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [count, buffer]);

  const reveal = (line: number) => {
    const el = box.current;
    setCurrentLine(line);
    if (!el || line < 0) return;
    const top = scrollTopFor(line, {
      count,
      rowHeight: lineHeight,
      scrollTop: el.scrollTop,
      viewportHeight: el.clientHeight,
      align: 'center',
    });
    stick.current = false;
    el.scrollTop = top;
    setScrollTop(top);
  };

  // A new query goes to the match nearest to what is on screen: the first one from the top line down.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new query moves to a match
  useEffect(() => {
    if (!query) return setCurrentLine(-1);
    const found = buffer.search(query);
    if (found.length === 0) return setCurrentLine(-1);
    const top = visibleWindow({
      count,
      rowHeight: lineHeight,
      scrollTop,
      viewportHeight: viewport,
      overscan: 0,
    });
    const at = firstAtOrAfter(found, top.start);
    reveal(found[Math.min(at, found.length - 1)]);
  }, [query]);

  const step = (dir: 1 | -1) => {
    if (matches.length === 0) return;
    let pos: number;
    if (!onMatch) pos = dir === 1 ? matchPos : matchPos - 1;
    else pos = matchPos + dir;
    reveal(matches[(pos + matches.length) % matches.length]);
  };

  const w = visibleWindow({ count, rowHeight: lineHeight, scrollTop, viewportHeight: viewport });
  const rows = [];
  for (let i = w.start; i < w.end; i++) {
    const l = buffer.line(i);
    const current = i === currentLine && onMatch;
    rows.push(
      <div
        key={i}
        className={`log-line ${l.stderr ? 'stderr' : 'stdout'}${current ? ' current' : ''}`}
        data-line={i + 1}
      >
        {l.timestamp && <span className="ts">{l.timestamp} </span>}
        <Highlighted text={l.text} query={query} current={current} />
      </div>,
    );
  }

  return (
    <div className="logs">
      <div className="toolbar">
        <label className="inline">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label className="inline">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />{' '}
          Timestamps
        </label>
        <input
          type="search"
          className="log-search"
          aria-label="Search logs"
          placeholder="Search logs (Enter: next match)"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              step(e.shiftKey ? -1 : 1);
            }
          }}
        />
        {query && (
          <>
            <span className="muted" data-testid="log-matches">
              {matches.length.toLocaleString('en-US')} matching line(s)
              {loading && ' so far'}
            </span>
            {matches.length > 0 && (
              <>
                <span className="muted" data-testid="log-current">
                  {onMatch
                    ? `${(matchPos + 1).toLocaleString('en-US')} of ${matches.length.toLocaleString('en-US')}`
                    : ''}
                </span>
                <button type="button" className="small" aria-label="Previous match" onClick={() => step(-1)}>
                  ↑
                </button>
                <button type="button" className="small" aria-label="Next match" onClick={() => step(1)}>
                  ↓
                </button>
              </>
            )}
          </>
        )}
      </div>
      <ErrorBanner error={error} context="Logs" />
      <div
        className="log-box log-view mono"
        ref={box}
        role="log"
        aria-live="off"
        aria-label="Container logs"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the log scrolls with the keyboard
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          setScrollTop(el.scrollTop);
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - lineHeight;
        }}
      >
        {count === 0 && <div className="muted log-empty">No output yet.</div>}
        <div className="log-track" style={{ height: w.totalHeight }}>
          <div className="log-rows" style={{ transform: `translateY(${w.offset}px)` }}>
            {rows}
          </div>
        </div>
      </div>
      <div className="muted log-status" data-testid="log-count">
        {loading
          ? `last ${count.toLocaleString('en-US')} lines; loading the rest…`
          : `${count.toLocaleString('en-US')} lines`}
        {!loading && buffer.dropped > 0 && ` (the last ${maxLines.toLocaleString('en-US')})`}
      </div>
    </div>
  );
}
