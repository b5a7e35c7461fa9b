import type { Locator, Page } from 'playwright-core';

export class NetworksPage {
  readonly rows: Locator;
  readonly notice: Locator;
  readonly search: Locator;
  readonly filter: Locator;
  /** The list's scroll box, which takes the keyboard. */
  readonly list: Locator;
  /** The row the keyboard is on. */
  readonly activeRow: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('network-row');
    this.notice = page.getByRole('status');
    this.search = page.getByRole('searchbox', { name: 'Search networks' });
    this.filter = page.getByRole('combobox', { name: 'Show networks' });
    this.list = page.getByRole('group', { name: /^Networks: arrow keys move/ });
    this.activeRow = this.rows.and(page.locator('.active'));
  }

  removeButton(name: string): Locator {
    return this.page.getByRole('button', { name: `Remove network ${name}`, exact: true });
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="network-row"][data-name="${name}"]`);
  }

  /** A container attached to a network, as its row shows it (name and IP). */
  container(network: string, container: string): Locator {
    return this.row(network).locator(`[data-testid="network-container"][data-name="${container}"]`);
  }

  async create(opts: { name: string; subnet?: string; gateway?: string; internal?: boolean }): Promise<void> {
    await this.page.getByRole('button', { name: 'Create network' }).click();
    const form = this.page.getByRole('form', { name: 'Create a network' });
    await form.getByLabel('Name').fill(opts.name);
    if (opts.subnet) await form.getByLabel('Subnet').fill(opts.subnet);
    if (opts.gateway) await form.getByLabel('Gateway').fill(opts.gateway);
    if (opts.internal) await form.getByLabel(/Internal/).check();
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await form.waitFor({ state: 'detached' });
  }

  /** Removes through the confirmation dialog, which names the containers attached. */
  async remove(name: string): Promise<string> {
    await this.removeButton(name).click();
    const dialog = this.page.getByRole('dialog', { name: `Remove network ${name}?` });
    await dialog.waitFor();
    const said = (await dialog.textContent()) ?? '';
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    return said;
  }

  async prune(): Promise<void> {
    await this.page.getByRole('button', { name: 'Prune unused' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Prune unused networks?' });
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
}
