import type { Page } from 'playwright-core';

/**
 * What does not fit in the window as it is now: a page wider than the window; each visible field
 * (within `scope`, a CSS selector, when given) whose placeholder is wider than its box, so that the
 * user reads only part of the hint; a button whose label is cut; and a control (button, link, field)
 * that lies partly outside the window or is clipped by what holds it, so that part of it cannot be
 * seen or clicked. Controls outside the window's height, or scrolled out of their list, are not
 * looked at; toasts and dialogs should be closed first, as they cover what is under them.
 */
export function layoutProblems(page: Page, scope = 'body'): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    const doc = document.scrollingElement;
    if (doc.scrollWidth > window.innerWidth + 1) out.push('page scrolls sideways: ' + doc.scrollWidth + ' > ' + window.innerWidth);
    const ctx = document.createElement('canvas').getContext('2d');
    const root = document.querySelector(${JSON.stringify(scope)}) ?? document.body;
    const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.placeholder || el.tagName).trim().slice(0, 60);
    for (const el of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || !el.placeholder) continue;
      const cs = getComputedStyle(el);
      ctx.font = cs.font;
      const text = ctx.measureText(el.placeholder).width;
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (text > room + 0.5) out.push('placeholder cut off: "' + el.placeholder + '" needs ' + Math.ceil(text) + 'px, has ' + Math.floor(room));
    }
    const hits = (el, x, y) => {
      const at = document.elementFromPoint(x, y);
      return at !== null && (at === el || el.contains(at));
    };
    for (const el of root.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea')) {
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2 || getComputedStyle(el).visibility === 'hidden') continue;
      const y = r.top + r.height / 2;
      if (y < 0 || y > window.innerHeight) continue;
      if (r.right > window.innerWidth + 0.5 || r.left < -0.5) {
        out.push('outside the window: ' + el.tagName.toLowerCase() + ' "' + name(el) + '"');
        continue;
      }
      // A control inside a list that scrolls vertically may be scrolled out of it: not a layout fault.
      const cx = r.left + r.width / 2;
      if (!hits(el, cx, y)) continue;
      if (!hits(el, r.left + 1.5, y) || !hits(el, r.right - 1.5, y))
        out.push('clipped: ' + el.tagName.toLowerCase() + ' "' + name(el) + '"');
      if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1)
        out.push('label cut: button "' + name(el) + '"');
    }
    return out;
  })()`);
}
