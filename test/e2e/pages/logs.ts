import type { Locator, Page } from 'playwright-core';

/** The log view of a container's detail screen. */
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

  constructor(readonly page: Page) {
    this.box = page.getByRole('log', { name: 'Container logs' });
    this.search = page.getByRole('searchbox', { name: 'Search logs' });
    this.matches = page.getByTestId('log-matches');
    this.current = page.getByTestId('log-current');
    this.currentLine = this.box.locator('.log-line.current');
    this.lineCount = page.getByTestId('log-count');
  }

  /** Lines drawn now (the view draws only those on screen, and a few more). */
  drawnLines(): Promise<number> {
    return this.box.locator('.log-line').count();
  }

  async next(): Promise<void> {
    await this.page.getByRole('button', { name: 'Next match' }).click();
  }

  async previous(): Promise<void> {
    await this.page.getByRole('button', { name: 'Previous match' }).click();
  }
}
