import type { Locator, Page } from 'playwright-core';
import { RunFormPage } from './run-form.ts';

export class ImagesPage {
  readonly rows: Locator;
  readonly search: Locator;
  /** All images, In use, Unused, Dangling. */
  readonly filter: Locator;
  /** `N images · SIZE total`. */
  readonly summary: Locator;
  /** The app's one confirmation dialog. */
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('image-row');
    this.search = page.getByRole('searchbox', { name: 'Search images' });
    this.filter = page.getByRole('combobox', { name: 'Show' });
    this.summary = page.getByTestId('images-summary');
    this.dialog = page.getByRole('dialog');
  }

  row(tag: string): Locator {
    return this.rows.filter({ hasText: tag });
  }

  /** The first tag of each row, top to bottom (`<none>` for an untagged image). */
  async names(): Promise<string[]> {
    return (await this.rows.locator('td:first-child button').allTextContents()).map((t) => t.trim());
  }

  inUse(tag: string): Locator {
    return this.row(tag).getByTestId('in-use');
  }

  async sortBy(column: 'name' | 'size' | 'created'): Promise<void> {
    await this.page.getByRole('button', { name: `Sort by ${column}`, exact: true }).click();
  }

  /** The pull (or push) progress panel: `data-phase` is running, done or failed. */
  get transfer(): Locator {
    return this.page.getByTestId('transfer').first();
  }

  layerProgress(): Locator {
    return this.transfer.getByTestId('layer-progress');
  }

  async pull(ref: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Pull image' }).click();
    const form = this.page.getByRole('form', { name: 'Pull an image' });
    await form.getByLabel('Image').fill(ref);
    await form.getByRole('button', { name: 'Pull', exact: true }).click();
  }

  /** The login a refused pull or push offers, filled and sent (the transfer then runs again). */
  async login(user: string, password: string, server?: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Log in to the registry' });
    if (server !== undefined) await form.getByLabel('Server').fill(server);
    await form.getByLabel('Username').fill(user);
    await form.getByLabel('Password').fill(password);
    await form.getByRole('button', { name: 'Log in and retry' }).click();
  }

  async open(tag: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open image ${tag}`, exact: true }).click();
  }

  async prune(): Promise<void> {
    await this.page.getByRole('button', { name: 'Prune unused' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Prune unused images?' });
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  /** Clicks the row's Remove: the dialog asks (or a toast refuses). */
  async remove(tag: string): Promise<void> {
    await this.page.getByRole('button', { name: `Remove image ${tag}`, exact: true }).click();
  }

  async answer(button: 'Remove' | 'Remove anyway' | 'Cancel'): Promise<void> {
    await this.dialog.getByRole('button', { name: button, exact: true }).click();
    await this.dialog.waitFor({ state: 'hidden' });
  }

  /** The row's Run: the run form opens with the image filled in. */
  async run(tag: string): Promise<RunFormPage> {
    await this.page.getByRole('button', { name: `Run ${tag}`, exact: true }).click();
    return new RunFormPage(this.page);
  }
}
