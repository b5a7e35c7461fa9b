import type { Locator, Page } from 'playwright-core';

export class ContainerDetailPage {
  readonly logs: Locator;
  readonly logSearch: Locator;
  readonly terminal: Locator;
  readonly inspectJson: Locator;

  constructor(readonly page: Page) {
    this.logs = page.getByRole('log', { name: 'Container logs' });
    this.logSearch = page.getByRole('searchbox', { name: 'Search logs' });
    this.terminal = page.getByTestId('terminal');
    this.inspectJson = page.getByTestId('inspect-json');
  }

  async tab(name: 'Logs' | 'Inspect' | 'Stats' | 'Terminal' | 'Files'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  async setTimestamps(on: boolean): Promise<void> {
    await this.page.getByRole('checkbox', { name: 'Timestamps' }).setChecked(on);
  }

  /** The terminal's visible rows as text lines. */
  terminalLines(): Promise<string[]> {
    return this.terminal
      .locator('.xterm-rows > div')
      .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()));
  }

  async typeInTerminal(text: string): Promise<void> {
    await this.page.getByTestId('terminal-status').getByText('Connected').waitFor();
    await this.terminal.click();
    await this.page.keyboard.type(text);
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: 'Back to containers' }).click();
  }
}
