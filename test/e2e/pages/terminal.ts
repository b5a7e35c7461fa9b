import type { Locator, Page } from 'playwright-core';

/** An xterm.js terminal of the app (the host terminal screen, or a container's Terminal tab). */
export class TerminalPane {
  readonly terminal: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.terminal = page.getByTestId('terminal');
    this.status = page.getByTestId('terminal-status');
  }

  /** The terminal's visible rows as text lines. */
  lines(): Promise<string[]> {
    return this.terminal
      .locator('.xterm-rows > div')
      .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
  }

  async type(text: string): Promise<void> {
    await this.status.getByText('Connected').waitFor();
    await this.terminal.click();
    await this.page.keyboard.type(text);
  }
}
