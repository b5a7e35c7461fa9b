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

  /** Dismisses toast after toast (one dismissed may take others with it, or a new one may come). */
  async dismissAll(): Promise<void> {
    const dismiss = this.toasts.getByRole('button', { name: 'Dismiss' });
    for (let round = 0; round < 20 && (await dismiss.count()) > 0; round++)
      await dismiss
        .first()
        .click({ timeout: 2000 })
        .catch(() => undefined);
  }
}
