// A line of terminal output: its colours and attributes drawn, search matches marked (inside coloured
// text too). Plain lines, the usual case, cost no parse.
import { type CSSProperties, Fragment } from 'react';
import { markRuns, parseAnsi, plainState, type SgrState, sgrCss } from './ansi.ts';
import './ansi.css';

export function AnsiText({
  text,
  styled,
  sgr,
  ranges,
  current,
}: {
  /** What the line reads (escapes stripped): what `ranges` index into. */
  text: string;
  /** The line as written, when it holds escape sequences. */
  styled?: string;
  /** The state the line starts in. */
  sgr?: SgrState;
  /** Search matches, [start, end) in `text`. */
  ranges: [number, number][];
  /** The matches are the current one. */
  current?: boolean;
}) {
  const spans = styled ? parseAnsi(styled, sgr).spans : [{ text, style: sgr ?? plainState }];
  const markClass = current ? 'current' : undefined;
  // Keys are where each piece starts in the line's text: its one identity.
  let at = 0;
  return (
    <>
      {markRuns(spans, ranges).map((run) => {
        const start = at;
        const parts = run.spans.map((s) => {
          const key = at;
          at += s.text.length;
          const css = sgrCss(s.style) as CSSProperties | undefined;
          return css ? (
            <span key={key} style={css}>
              {s.text}
            </span>
          ) : (
            <Fragment key={key}>{s.text}</Fragment>
          );
        });
        return run.match < 0 ? (
          <Fragment key={start}>{parts}</Fragment>
        ) : (
          <mark key={start} className={markClass}>
            {parts}
          </mark>
        );
      })}
    </>
  );
}
