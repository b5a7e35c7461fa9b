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

  /** A header action ("Stop web"). */
  async action(
    action: 'Start' | 'Stop' | 'Restart' | 'Pause' | 'Unpause' | 'Remove',
    name: string,
  ): Promise<void> {
    await this.page
      .locator('.detail-header')
      .getByRole('button', { name: `${action} ${name}`, exact: true })
      .click();
  }

  get stateBadge(): Locator {
    return this.page.locator('.detail-header').getByTestId('state-badge');
  }

  get status(): Locator {
    return this.page.getByTestId('detail-status');
  }

  /** The structured inspect view's section ('env', 'mounts', 'ports', 'networks', 'labels', 'general'). */
  inspectSection(id: string): Locator {
    return this.page.getByTestId(`inspect-${id}`);
  }

  /** A key's row of a structured inspect section. */
  inspectRow(id: string, key: string): Locator {
    return this.inspectSection(id)
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name: key, exact: true }) });
  }

  async inspectView(view: 'Structured' | 'Raw JSON'): Promise<void> {
    await this.page.getByRole('group', { name: 'Inspect view' }).getByRole('button', { name: view }).click();
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: 'Back to containers' }).click();
  }
}
