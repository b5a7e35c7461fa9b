import type { Locator, Page } from 'playwright-core';

export class TroubleshootPage {
  readonly logsHint: Locator;
  readonly engineLog: Locator;
  readonly engineOwner: Locator;
  readonly restart: Locator;
  readonly resetButton: Locator;
  readonly resetDialog: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.logsHint = page.getByTestId('logs-hint');
    this.engineLog = page.getByRole('log', { name: 'Engine log' });
    this.engineOwner = page.getByTestId('engine-owner');
    this.restart = page.getByRole('button', { name: /^(Restart engine|Restarting…)$/ });
    this.resetButton = page.getByRole('button', { name: 'Reset to factory defaults…' });
    this.resetDialog = page.getByRole('dialog', { name: 'Reset Berth to factory defaults?' });
    this.notice = page.getByRole('status');
  }

  /** Opens the reset dialog and returns the list of what it says it deletes. */
  async openReset(): Promise<string[]> {
    await this.resetButton.click();
    await this.resetDialog.waitFor();
    return this.resetDialog.getByTestId('reset-deletes').getByRole('listitem').allTextContents();
  }

  async cancelReset(): Promise<void> {
    await this.resetDialog.getByRole('button', { name: 'Cancel' }).click();
    await this.resetDialog.waitFor({ state: 'hidden' });
  }

  async confirmReset(): Promise<void> {
    await this.resetDialog.getByRole('button', { name: 'Reset', exact: true }).click();
    await this.resetDialog.waitFor({ state: 'hidden' });
  }
}
