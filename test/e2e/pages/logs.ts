import type { Locator, Page } from 'playwright-core';

/** Where a drawn row is, and what it reads. */
export interface RowBox {
  line: number;
  top: number;
  bottom: number;
  height: number;
  text: string;
}

/** The log view of a container's detail screen (or of several containers, merged). */
export class LogsPanel {
  readonly box: Locator;
  readonly search: Locator;
  /** `N matching line(s)`. */
  readonly matches: Locator;
  /** `K of N`: which match is current. */
  readonly current: Locator;
  /** The line holding the current match. */
  readonly currentLine: Locator;
  /** `N lines`. */
  readonly lineCount: Locator;
  readonly lines: Locator;

  constructor(
    readonly page: Page,
    name: 'Container logs' | 'Project logs' = 'Container logs',
  ) {
    this.box = page.getByRole('log', { name });
    this.search = page.getByRole('searchbox', { name: 'Search logs' });
    this.matches = page.getByTestId('log-matches');
    this.current = page.getByTestId('log-current');
    this.currentLine = this.box.locator('.log-line.current');
    this.lineCount = page.getByTestId('log-count');
    this.lines = this.box.locator('.log-line');
  }

  /** Lines drawn now (the view draws only those on screen, and a few more). */
  drawnLines(): Promise<number> {
    return this.lines.count();
  }

  async next(): Promise<void> {
    await this.page.getByRole('button', { name: 'Next match' }).click();
  }

  async previous(): Promise<void> {
    await this.page.getByRole('button', { name: 'Previous match' }).click();
  }

  async setWrap(on: boolean): Promise<void> {
    await this.page.getByRole('checkbox', { name: 'Wrap' }).setChecked(on);
  }

  async setTimestamps(on: boolean): Promise<void> {
    await this.page.getByRole('checkbox', { name: 'Timestamps' }).setChecked(on);
  }

  async copy(): Promise<void> {
    await this.page.getByRole('button', { name: 'Copy logs' }).click();
  }

  async download(): Promise<void> {
    await this.page.getByRole('button', { name: 'Download logs' }).click();
  }

  async clear(): Promise<void> {
    await this.page.getByRole('button', { name: 'Clear log view' }).click();
  }

  /** The rows drawn, top to bottom, with their boxes in page px. */
  rowBoxes(): Promise<RowBox[]> {
    return this.lines.evaluateAll((rows) =>
      rows.map((r) => {
        const b = r.getBoundingClientRect();
        return {
          line: Number(r.getAttribute('data-line')),
          top: b.top,
          bottom: b.bottom,
          height: b.height,
          text: r.textContent ?? '',
        };
      }),
    );
  }

  /** The text of the rows drawn, top to bottom. */
  texts(): Promise<string[]> {
    return this.lines.evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
  }

  async scrollTo(where: 'top' | 'bottom'): Promise<void> {
    await this.box.evaluate((el, w) => {
      el.scrollTop = w === 'top' ? 0 : el.scrollHeight;
    }, where);
  }
}
