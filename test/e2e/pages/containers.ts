import type { Locator, Page } from 'playwright-core';
import { RunFormPage, type RunOptions } from './run-form.ts';

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

  /** Opens the run form from the list's "Run container" button. */
  async openRunForm(): Promise<RunFormPage> {
    await this.page.getByRole('button', { name: 'Run container' }).click();
    return new RunFormPage(this.page);
  }

  async run(opts: RunOptions & { image: string; name: string }): Promise<void> {
    await (await this.openRunForm()).run(opts);
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

  async clearSelection(): Promise<void> {
    const all = this.page.getByRole('checkbox', { name: 'Select all containers' });
    await all.check();
    await all.uncheck();
  }

  /** Asks; the caller answers the app's confirmation dialog (see Notices). */
  async removeSelected(): Promise<void> {
    await this.page.getByRole('button', { name: /^Remove selected/ }).click();
  }

  async bulk(action: 'Start' | 'Stop' | 'Restart' | 'Pause' | 'Remove'): Promise<void> {
    await this.page.getByRole('button', { name: new RegExp(`^${action} selected \\(`) }).click();
  }

  /** The state badge ("running", "exited (3)", "stopping…"). */
  stateBadge(name: string): Locator {
    return this.row(name).getByTestId('state-badge');
  }

  healthBadge(name: string): Locator {
    return this.row(name).getByTestId('health-badge');
  }

  get onlyRunning(): Locator {
    return this.page.getByRole('checkbox', { name: 'Only running' });
  }

  get healthFilter(): Locator {
    return this.page.getByRole('combobox', { name: 'Health' });
  }

  projectRow(project: string): Locator {
    return this.page.locator(`[data-testid="project-row"][data-project="${project}"]`);
  }

  /** The rows of a project's containers (shown while the project is expanded). */
  projectContainers(project: string): Locator {
    return this.page.locator(`[data-testid="container-row"][data-project="${project}"]`);
  }

  async projectAction(
    action:
      | 'Start project'
      | 'Stop project'
      | 'Restart project'
      | 'Delete project'
      | 'Collapse project'
      | 'Expand project'
      | 'Open project',
    project: string,
  ): Promise<void> {
    await this.page.getByRole('button', { name: `${action} ${project}`, exact: true }).click();
  }

  async sortBy(column: 'Name' | 'State' | 'CPU' | 'Memory' | 'Created'): Promise<void> {
    await this.page
      .getByRole('columnheader')
      .getByRole('button', { name: new RegExp(`^${column}`) })
      .click();
  }

  /** The CPU and memory cells of a row. */
  usage(name: string): Locator {
    return this.row(name).locator('td.num');
  }

  /** The link a published TCP port shows as. */
  portLink(name: string, hostPort: number): Locator {
    return this.row(name).getByRole('link', { name: new RegExp(`^Open http://localhost:${hostPort} `) });
  }

  async open(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open ${name}`, exact: true }).click();
  }
}
