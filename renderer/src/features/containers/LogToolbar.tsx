// The log view's toolbar: search with previous/next, the Follow, Timestamps and Wrap switches, and
// Copy, Download and Clear. One row that holds from 900 px wide: actions are icons with tooltips.
import { IconButton } from '../../ui/IconButton.tsx';

export interface LogToolbarProps {
  query: string;
  onQuery(query: string): void;
  /** Steps through the matches: 1 next, -1 previous. */
  onStep(dir: 1 | -1): void;
  hasMatches: boolean;
  follow: boolean;
  onFollow(on: boolean): void;
  timestamps: boolean;
  onTimestamps(on: boolean): void;
  wrap: boolean;
  onWrap(on: boolean): void;
  onCopy(): void;
  onDownload(): void;
  onClear(): void;
}

/** Keeps a text selection in the log when a button is clicked (Copy copies it). */
const keepSelection = (e: { preventDefault(): void }) => e.preventDefault();

export function LogToolbar(p: LogToolbarProps) {
  return (
    <div className="toolbar log-toolbar">
      <input
        type="search"
        className="log-search"
        aria-label="Search logs"
        placeholder="Search logs"
        value={p.query}
        onChange={(e) => p.onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            p.onStep(e.shiftKey ? -1 : 1);
          }
        }}
      />
      <IconButton
        icon="chevronUp"
        label="Previous match"
        tip="Previous match (Shift+Enter)"
        disabled={!p.hasMatches}
        onClick={() => p.onStep(-1)}
      />
      <IconButton
        icon="chevronDown"
        label="Next match"
        tip="Next match (Enter)"
        disabled={!p.hasMatches}
        onClick={() => p.onStep(1)}
      />
      <span className="spacer" />
      <label className="inline">
        <input type="checkbox" checked={p.follow} onChange={(e) => p.onFollow(e.target.checked)} /> Follow
      </label>
      <label className="inline">
        <input type="checkbox" checked={p.timestamps} onChange={(e) => p.onTimestamps(e.target.checked)} />{' '}
        Timestamps
      </label>
      <label className="inline">
        <input type="checkbox" checked={p.wrap} onChange={(e) => p.onWrap(e.target.checked)} /> Wrap
      </label>
      <IconButton
        icon="copy"
        label="Copy logs"
        tip="Copy (the selected lines, or all)"
        onMouseDown={keepSelection}
        onClick={p.onCopy}
      />
      <IconButton
        icon="download"
        label="Download logs"
        tip="Download as a .log file"
        onMouseDown={keepSelection}
        onClick={p.onDownload}
      />
      <IconButton
        icon="clearView"
        label="Clear log view"
        tip="Clear the view: the log itself is kept, and the view goes on from here when reopened"
        className="tip-end"
        onClick={p.onClear}
      />
    </div>
  );
}
