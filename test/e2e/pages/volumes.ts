import type { Locator, Page } from 'playwright-core';

export class VolumesPage {
  readonly rows: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('volume-row');
    this.notice = page.getByRole('status');
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="volume-row"][data-name="${name}"]`);
  }

  async create(opts: { name: string; labels?: string }): Promise<void> {
    await this.page.getByRole('button', { name: 'Create volume' }).click();
    const form = this.page.getByRole('form', { name: 'Create a volume' });
    await form.getByLabel('Name').fill(opts.name);
    if (opts.labels) await form.getByLabel('Labels').fill(opts.labels);
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    await form.waitFor({ state: 'detached' });
  }

  async browse(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Browse files of ${name}`, exact: true }).click();
  }

  async remove(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Remove volume ${name}`, exact: true }).click();
  }

  /** Prune through the confirmation dialog; `all` includes named volumes. */
  async prune(opts: { all: boolean }): Promise<void> {
    await this.page.getByRole('button', { name: 'Prune unused' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Prune unused volumes?' });
    await dialog.getByRole('checkbox', { name: /Named volumes too/ }).setChecked(opts.all);
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
}

export class VolumeFilesPage {
  readonly rows: Locator;
  readonly unsupported: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('file-row');
    this.unsupported = page.getByTestId('browse-unsupported');
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="file-row"][data-name="${name}"]`);
  }

  async openFolder(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open folder ${name}`, exact: true }).click();
  }

  async parent(): Promise<void> {
    await this.page.getByRole('button', { name: 'Parent folder' }).click();
  }

  /** Downloads a file of the folder shown and returns its name and text. */
  async download(name: string): Promise<{ filename: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: `Download ${name}`, exact: true }).click(),
    ]);
    const stream = await download.createReadStream();
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    return { filename: download.suggestedFilename(), text };
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: 'Back to volumes' }).click();
  }
}
