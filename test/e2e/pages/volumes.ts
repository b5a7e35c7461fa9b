import type { Locator, Page } from 'playwright-core';
import { FileBrowserPage } from './file-browser.ts';

export class VolumesPage {
  readonly rows: Locator;
  readonly notice: Locator;
  readonly search: Locator;
  readonly filter: Locator;
  /** The list's scroll box, which takes the keyboard. */
  readonly list: Locator;
  /** The row the keyboard is on. */
  readonly activeRow: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('volume-row');
    this.notice = page.getByRole('status');
    this.search = page.getByRole('searchbox', { name: 'Search volumes' });
    this.filter = page.getByRole('combobox', { name: 'Show volumes' });
    this.list = page.getByRole('group', { name: /^Volumes: arrow keys move/ });
    this.activeRow = this.rows.and(page.locator('.active'));
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

  /** Clicks a volume's remove button and returns the confirmation dialog it opens. */
  async askRemove(name: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Remove volume ${name}`, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: `Remove volume ${name}?` });
    await dialog.waitFor();
    return dialog;
  }

  /** Removes through the confirmation dialog. */
  async remove(name: string): Promise<void> {
    const dialog = await this.askRemove(name);
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  /** Prune through the confirmation dialog; `all` includes named volumes. */
  async prune(opts: { all: boolean }): Promise<void> {
    await this.page.getByRole('button', { name: 'Prune unused' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Prune unused volumes?' });
    await dialog.getByRole('checkbox', { name: /Named volumes too/ }).setChecked(opts.all);
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  /** Exports a volume; returns the downloaded tar's name and bytes. */
  async export(name: string): Promise<{ filename: string; bytes: Buffer }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: `Export volume ${name}`, exact: true }).click(),
    ]);
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    return { filename: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
  }

  /** Imports a tar (given as its name and bytes) into the volume `into`. */
  async import(tar: { name: string; bytes: Buffer }, into: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Import', exact: true }).click();
    const form = this.page.getByRole('form', { name: 'Import a volume' });
    await form
      .getByLabel('Tar file')
      .setInputFiles({ name: tar.name, mimeType: 'application/x-tar', buffer: tar.bytes });
    await form.getByLabel('Into volume').fill(into);
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await form.waitFor({ state: 'detached' });
  }

  async clone(name: string, target: string): Promise<void> {
    await this.page.getByRole('button', { name: `Clone volume ${name}`, exact: true }).click();
    const form = this.page.getByRole('form', { name: `Clone volume ${name}` });
    await form.getByLabel('New volume name').fill(target);
    await form.getByRole('button', { name: 'Clone', exact: true }).click();
    await form.waitFor({ state: 'detached' });
  }
}

export class VolumeFilesPage extends FileBrowserPage {
  readonly unsupported: Locator;

  constructor(page: Page) {
    super(page);
    this.unsupported = page.getByTestId('browse-unsupported');
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: 'Back to volumes' }).click();
  }
}
