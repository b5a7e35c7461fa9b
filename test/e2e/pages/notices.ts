import type { Locator, Page } from 'playwright-core';

/** The app's one confirmation dialog and its toasts. */
export class Notices {
  readonly dialog: Locator;
  /** The names a bulk confirmation lists. */
  readonly dialogItems: Locator;
  readonly toasts: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog');
    this.dialogItems = this.dialog.getByTestId('confirm-items').getByRole('listitem');
    this.toasts = page.getByTestId('toast');
  }

  async confirm(label: string): Promise<void> {
    await this.dialog.getByRole('button', { name: label, exact: true }).click();
    await this.dialog.waitFor({ state: 'hidden' });
  }

  async cancel(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await this.dialog.waitFor({ state: 'hidden' });
  }

  toast(text: string | RegExp): Locator {
    return this.toasts.filter({ hasText: text });
  }

  async undo(text: string | RegExp): Promise<void> {
    await this.toast(text).getByRole('button', { name: 'Undo' }).click();
  }

  async dismissAll(): Promise<void> {
    for (const b of await this.toasts.getByRole('button', { name: 'Dismiss' }).all()) await b.click();
  }
}
