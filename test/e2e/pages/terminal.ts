import type { Locator, Page } from 'playwright-core';

/**
 * An xterm.js terminal of the app with its session list: the Terminal screen (every session), or a
 * container's Terminal tab (that container's sessions).
 */
export class TerminalPane {
  readonly terminal: Locator;
  readonly status: Locator;
  /** The rows of the session list; each has `data-title`. */
  readonly sessions: Locator;

  constructor(readonly page: Page) {
    this.terminal = page.getByTestId('terminal');
    this.status = page.getByTestId('terminal-status');
    this.sessions = page.getByTestId('terminal-session');
  }

  /** The terminal's visible rows as text lines. */
  lines(): Promise<string[]> {
    return this.terminal
      .locator('.xterm-rows > div')
      .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
  }

  /** Waits until the terminal is attached to a session (its status says `Connected: <title>`). */
  async connected(title?: string): Promise<void> {
    await this.status.getByText(title ? `Connected: ${title}` : /^Connected/).waitFor();
  }

  async type(text: string): Promise<void> {
    await this.connected();
    await this.terminal.click();
    await this.page.keyboard.type(text);
  }

  session(title: string): Locator {
    return this.page.locator(`[data-testid="terminal-session"][data-title="${title}"]`);
  }

  /** The session shown in the terminal now (`aria-current`). */
  current(): Promise<string | null> {
    return this.page
      .locator('[data-testid="terminal-session"][aria-current="true"]')
      .getAttribute('data-title', { timeout: 5000 });
  }

  async titles(): Promise<string[]> {
    return this.sessions.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-title') ?? ''));
  }

  async newSession(): Promise<void> {
    await this.page.getByRole('button', { name: 'New session', exact: true }).click();
  }

  async open(title: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open ${title}`, exact: true }).click();
  }

  /** Closes a session through the confirmation dialog. */
  async close(title: string): Promise<void> {
    await this.page.getByRole('button', { name: `Close ${title}`, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: `Close ${title}?` });
    await dialog.getByRole('button', { name: 'Close session', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
}
