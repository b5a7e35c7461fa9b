// A plain-text YAML editor: a textarea with a line-number gutter, and marked lines (a band behind the
// line, the number in red, the message as its tooltip). Lines never wrap, so line N is always at the
// same height: the gutter and the bands follow the textarea's scroll. Tab inserts two spaces.
import { forwardRef, type KeyboardEvent, useImperativeHandle, useRef, useState } from 'react';
import type { LineMark } from './apply-model.ts';

/** Must match `.yaml-editor` line-height in apply.css. */
const lineHeight = 18;
const padTop = 6;

export interface YamlEditorHandle {
  /** Scrolls to a line and puts the cursor at its start. */
  goToLine(line: number): void;
}

export const YamlEditor = forwardRef<
  YamlEditorHandle,
  { value: string; onChange(text: string): void; marks: LineMark[]; label: string; readOnly?: boolean }
>(function YamlEditor({ value, onChange, marks, label, readOnly }, ref) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [scroll, setScroll] = useState({ top: 0, left: 0 });
  const lines = Math.max(1, value.split('\n').length);
  const byLine = new Map<number, string[]>();
  for (const m of marks) byLine.set(m.line, [...(byLine.get(m.line) ?? []), m.message]);

  useImperativeHandle(ref, () => ({
    goToLine(line) {
      const ta = area.current;
      if (!ta) return;
      const text = ta.value;
      let at = 0;
      for (let i = 1; i < line && at >= 0; i++) at = text.indexOf('\n', at) + 1 || -1;
      const pos = Math.max(0, at);
      ta.focus();
      ta.setSelectionRange(pos, pos);
      ta.scrollTop = Math.max(0, (line - 3) * lineHeight);
    },
  }));

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Tab' || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    const ta = e.currentTarget;
    const { selectionStart: s, selectionEnd: end } = ta;
    onChange(`${ta.value.slice(0, s)}  ${ta.value.slice(end)}`);
    requestAnimationFrame(() => ta.setSelectionRange(s + 2, s + 2));
  };

  const numbers = [];
  for (let i = 1; i <= lines; i++) {
    const msgs = byLine.get(i);
    numbers.push(
      <div
        key={i}
        className={msgs ? 'yaml-line-number marked' : 'yaml-line-number'}
        title={msgs?.join('\n')}
        data-line={i}
      >
        {i}
      </div>,
    );
  }
  return (
    <div className="yaml-editor-box">
      <div className="yaml-gutter mono" aria-hidden="true">
        <div style={{ transform: `translateY(${padTop - scroll.top}px)` }}>{numbers}</div>
      </div>
      <div className="yaml-area">
        <div className="yaml-bands" aria-hidden="true">
          {[...byLine.keys()].map((line) => (
            <div
              key={line}
              className="yaml-band"
              data-marked-line={line}
              style={{ top: padTop + (line - 1) * lineHeight - scroll.top }}
            />
          ))}
        </div>
        <textarea
          ref={area}
          className="yaml-editor mono"
          aria-label={label}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          wrap="off"
          readOnly={readOnly}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, left: e.currentTarget.scrollLeft })}
        />
      </div>
    </div>
  );
});
