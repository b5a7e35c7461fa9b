import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ansiColorCss,
  applySgr,
  hasControls,
  markRuns,
  parseAnsi,
  plainState,
  sgrCss,
  stripAnsi,
  stripTracking,
} from './ansi.ts';

const E = '\x1b';
const spans = (s: string, start = plainState) =>
  parseAnsi(s, start).spans.map((x) => [x.text, { ...x.style }]);

describe('parseAnsi', () => {
  test('basic colours, reset, and the text between', () => {
    assert.deepEqual(spans(`${E}[31mred${E}[0m plain ${E}[1;32mbold green${E}[m`), [
      ['red', { fg: 1 }],
      [' plain ', {}],
      ['bold green', { fg: 2, bold: true }],
    ]);
  });

  test('bright, 256 and 24-bit colours, foreground and background, in both notations', () => {
    assert.deepEqual(spans(`${E}[91;104ma${E}[38;5;208;48;5;17mb${E}[38;2;10;20;30mc`), [
      ['a', { fg: 9, bg: 12 }],
      ['b', { fg: 208, bg: 17 }],
      ['c', { fg: '#0a141e', bg: 17 }],
    ]);
    assert.deepEqual(spans(`${E}[38:2::255:0:0md${E}[38:5:42me${E}[48:2:1:2:3mf`), [
      ['d', { fg: '#ff0000' }],
      ['e', { fg: 42 }],
      ['f', { fg: 42, bg: '#010203' }],
    ]);
  });

  test('attributes on and off: bold, dim, italic, underline, inverse, strike; 39 and 49 reset colours', () => {
    const s = `${E}[1;2;3;4;7;9;31;42mall${E}[22;23;24;27;29;39mbg${E}[49mnone`;
    assert.deepEqual(spans(s), [
      [
        'all',
        { bold: true, dim: true, italic: true, underline: true, inverse: true, strike: true, fg: 1, bg: 2 },
      ],
      ['bg', { bg: 2 }],
      ['none', {}],
    ]);
    assert.equal(parseAnsi(`${E}[1mx${E}[0m`).end, plainState, 'a reset gives back the plain state itself');
  });

  test('the state carries from one line to the next, as in a terminal', () => {
    const first = parseAnsi(`${E}[33mwarning: starts here`);
    assert.deepEqual({ ...first.end }, { fg: 3 });
    assert.deepEqual(spans('and goes on', first.end), [['and goes on', { fg: 3 }]]);
    assert.deepEqual(spans(`until ${E}[0mhere`, first.end), [
      ['until ', { fg: 3 }],
      ['here', {}],
    ]);
  });

  test('other sequences are dropped: cursor moves, erase line, OSC titles and links, charsets, private modes', () => {
    const s = `${E}[2K${E}[1G${E}]0;title${'\x07'}${E}]8;;http://x${E}\\link${E}]8;;${E}\\${E}(B${E}[?25l${E}7ok${E}[3A${E}[?1049h`;
    assert.deepEqual(spans(s), [['linkok', {}]]);
    assert.equal(stripAnsi(s), 'linkok');
  });

  test('control characters are dropped; a carriage return starts the line over; tabs stay', () => {
    assert.equal(stripAnsi('a\x07b\x08c\x00d'), 'abcd');
    assert.equal(stripAnsi('10%\r50%\r100%'), '100%');
    assert.equal(stripAnsi('done\r'), 'done', 'a trailing return leaves the line as it was');
    assert.equal(stripAnsi('a\tb'), 'a\tb');
    assert.deepEqual(spans(`${E}[32m10%\r${E}[1m99%`), [['99%', { fg: 2, bold: true }]]);
  });

  test('unfinished and malformed sequences never show', () => {
    assert.equal(stripAnsi(`x${E}`), 'x');
    assert.equal(stripAnsi(`x${E}[31`), 'x');
    assert.equal(stripAnsi(`x${E}]0;never ended`), 'x');
    assert.equal(stripAnsi(`a${E}[31\x01b`), 'ab');
  });

  test('strip keeps the exact text that the spans show, so search and highlight agree', () => {
    for (const s of [`${E}[31mred${E}[0m and ${E}[4mline${E}[24m`, 'plain', `a\rb${E}[1mc`, '']) {
      assert.equal(
        parseAnsi(s)
          .spans.map((x) => x.text)
          .join(''),
        stripAnsi(s),
      );
    }
  });

  test('hasControls: only lines with escapes or control characters need a parse', () => {
    assert.equal(hasControls('plain text\twith a tab'), false);
    assert.equal(hasControls(`${E}[31mred`), true);
    assert.equal(hasControls('a\rb'), true);
  });
});

describe('stripTracking and applySgr', () => {
  test('the text without escapes and the state the line leaves', () => {
    const r = stripTracking(`${E}[31mx${E}[0m${E}[1my`, { fg: 4 });
    assert.deepEqual({ text: r.text, end: { ...r.end } }, { text: 'xy', end: { bold: true } });
    const carried = stripTracking('no codes', { fg: 4 });
    assert.deepEqual({ ...carried.end }, { fg: 4 });
    assert.deepEqual({ ...stripTracking(`${E}[38;5;0mx`).end }, { fg: 0 }, 'the 0 of a colour is no reset');
  });

  test('bad colour parameters are ignored, not thrown', () => {
    assert.deepEqual({ ...applySgr(plainState, '38;5;300') }, {});
    assert.deepEqual({ ...applySgr(plainState, '38;2;1;2') }, {});
    assert.deepEqual({ ...applySgr(plainState, '38;9;31') }, { fg: 1 });
  });
});

describe('CSS for a state', () => {
  test('the 16 basic colours are theme variables; 256-colour cube and greys; 24-bit as given', () => {
    assert.equal(ansiColorCss(1), 'var(--ansi-1)');
    assert.equal(ansiColorCss(15), 'var(--ansi-15)');
    assert.equal(ansiColorCss(196), 'rgb(255, 0, 0)');
    assert.equal(ansiColorCss(16), 'rgb(0, 0, 0)');
    assert.equal(ansiColorCss(244), 'rgb(128, 128, 128)');
    assert.equal(ansiColorCss('#123456'), '#123456');
  });

  test('inverse swaps foreground and background, with the view’s own colours for unset ones', () => {
    assert.deepEqual(sgrCss({ inverse: true }), {
      color: 'var(--ansi-default-bg)',
      backgroundColor: 'var(--ansi-default-fg)',
    });
    assert.deepEqual(sgrCss({ fg: 1, inverse: true }), {
      color: 'var(--ansi-default-bg)',
      backgroundColor: 'var(--ansi-1)',
    });
    assert.deepEqual(sgrCss({ bold: true, dim: true, italic: true, underline: true, strike: true }), {
      fontWeight: 700,
      fontStyle: 'italic',
      opacity: 0.6,
      textDecorationLine: 'underline line-through',
    });
    assert.equal(sgrCss(plainState), undefined);
  });
});

describe('markRuns', () => {
  const red = { fg: 1 };
  const texts = (runs: ReturnType<typeof markRuns>) =>
    runs.map((r) => [r.match, r.spans.map((s) => [s.text, { ...s.style }])]);

  test('a match inside one coloured span, and one across two colours, each stays one run', () => {
    const { spans } = parseAnsi(`ok ${E}[31mred error${E}[0m and more`);
    assert.deepEqual(texts(markRuns(spans, [[7, 12]])), [
      [
        -1,
        [
          ['ok ', {}],
          ['red ', red],
        ],
      ],
      [7, [['error', red]]],
      [-1, [[' and more', {}]]],
    ]);
    assert.deepEqual(texts(markRuns(spans, [[4, 16]])), [
      [
        -1,
        [
          ['ok ', {}],
          ['r', red],
        ],
      ],
      [
        4,
        [
          ['ed error', red],
          [' and', {}],
        ],
      ],
      [-1, [[' more', {}]]],
    ]);
  });

  test('matches at the edges and next to each other; no matches leaves the spans as they were', () => {
    const { spans } = parseAnsi(`${E}[32maaaa`);
    assert.deepEqual(
      texts(
        markRuns(spans, [
          [0, 2],
          [2, 4],
        ]),
      ),
      [
        [0, [['aa', { fg: 2 }]]],
        [2, [['aa', { fg: 2 }]]],
      ],
    );
    assert.deepEqual(markRuns(spans, []), [{ match: -1, spans }]);
    assert.deepEqual(markRuns([], [[0, 1]]), []);
  });
});
