import type { Locator, Page } from 'playwright-core';

export class ContainersPage {
  readonly search: Locator;
  readonly rows: Locator;
  /** The list's scroll box: it takes the keyboard (arrows, Page Up/Down, Home, End, Space, Enter). */
  readonly list: Locator;
  /** The row the keyboard is on. */
  readonly activeRow: Locator;
  /** `N containers`, or `N of M` while searching. */
  readonly shown: Locator;

  constructor(readonly page: Page) {
    this.search = page.getByRole('searchbox', { name: 'Search containers' });
    this.rows = page.getByTestId('container-row');
    this.list = page.getByRole('group', { name: /^Containers: arrow keys move/ });
    this.activeRow = page.locator('[data-testid="container-row"].active');
    this.shown = page.getByTestId('containers-shown');
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="container-row"][data-name="${name}"]`);
  }

  async run(opts: {
    image: string;
    name: string;
    cmd?: string;
    env?: string;
    ports?: string;
    volumes?: string;
  }): Promise<void> {
    await this.page.getByRole('button', { name: 'Run container' }).click();
    const form = this.page.getByRole('form', { name: 'Run a new container' });
    await form.getByLabel('Image').fill(opts.image);
    await form.getByLabel('Name').fill(opts.name);
    if (opts.cmd) await form.getByLabel('Command').fill(opts.cmd);
    if (opts.env) await form.getByLabel('Environment').fill(opts.env);
    if (opts.ports) await form.getByLabel('Ports').fill(opts.ports);
    if (opts.volumes) await form.getByLabel('Volumes').fill(opts.volumes);
    await form.getByRole('button', { name: 'Run', exact: true }).click();
    await form.waitFor({ state: 'detached' });
  }

  async action(
    action: 'Start' | 'Stop' | 'Restart' | 'Pause' | 'Unpause' | 'Remove',
    name: string,
  ): Promise<void> {
    await this.page.getByRole('button', { name: `${action} ${name}`, exact: true }).click();
  }

  async select(name: string): Promise<void> {
    await this.page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
  }

  async removeSelected(): Promise<void> {
    this.page.once('dialog', (d) => void d.accept());
    await this.page.getByRole('button', { name: /^Remove selected/ }).click();
  }

  /** The link a published TCP port shows as. */
  portLink(name: string, hostPort: number): Locator {
    return this.row(name).getByRole('link', { name: new RegExp(`^Open http://localhost:${hostPort} `) });
  }

  async open(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open ${name}`, exact: true }).click();
  }
}
