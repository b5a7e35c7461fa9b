import type { Page } from 'playwright-core';

/**
 * What does not fit in the window as it is now: a page wider than the window, and each visible field
 * (within `scope`, a CSS selector, when given) whose placeholder is wider than its box, so that the
 * user reads only part of the hint.
 */
export function layoutProblems(page: Page, scope = 'body'): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    const doc = document.scrollingElement;
    if (doc.scrollWidth > window.innerWidth + 1) out.push('page scrolls sideways: ' + doc.scrollWidth + ' > ' + window.innerWidth);
    const ctx = document.createElement('canvas').getContext('2d');
    const root = document.querySelector(${JSON.stringify(scope)}) ?? document.body;
    for (const el of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || !el.placeholder) continue;
      const cs = getComputedStyle(el);
      ctx.font = cs.font;
      const text = ctx.measureText(el.placeholder).width;
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (text > room + 0.5) out.push('placeholder cut off: "' + el.placeholder + '" needs ' + Math.ceil(text) + 'px, has ' + Math.floor(room));
    }
    return out;
  })()`);
}
