import type { Locator, Page } from 'playwright-core';

export class ImagesPage {
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('image-row');
  }

  row(tag: string): Locator {
    return this.rows.filter({ hasText: tag });
  }

  /** The pull (or push) progress panel: `data-phase` is running, done or failed. */
  get transfer(): Locator {
    return this.page.getByTestId('transfer');
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

  async open(tag: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open image ${tag}`, exact: true }).click();
  }

  async prune(): Promise<void> {
    await this.page.getByRole('button', { name: 'Prune unused' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Prune unused images?' });
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  async remove(tag: string): Promise<void> {
    await this.page.getByRole('button', { name: `Remove image ${tag}`, exact: true }).click();
  }
}
