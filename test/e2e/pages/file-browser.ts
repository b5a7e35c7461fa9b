import type { JSHandle, Locator, Page } from 'playwright-core';

/** A file to drop: its name and text. */
export interface DropFile {
  name: string;
  text: string;
}

/**
 * The file browser of a container or a volume: listing, preview, downloads, uploads by dropping
 * files (a drop event with a DataTransfer, as a drag from the desktop ends), new folder and delete.
 */
export class FileBrowserPage {
  readonly rows: Locator;
  readonly breadcrumb: Locator;
  readonly dropZone: Locator;
  readonly preview: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('file-row');
    this.breadcrumb = page.getByRole('navigation', { name: 'Folder path' });
    this.dropZone = page.getByTestId('file-drop-zone');
    this.preview = page.getByRole('region', { name: /^Preview of / });
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
      this.row(name)
        .getByRole('button', { name: `Download ${name}`, exact: true })
        .click(),
    ]);
    const stream = await download.createReadStream();
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    return { filename: download.suggestedFilename(), text };
  }

  /** Opens a file's preview; returns its text. */
  async previewText(name: string): Promise<string> {
    await this.page.getByRole('button', { name: `Preview ${name}`, exact: true }).click();
    const text = this.page
      .getByRole('region', { name: `Preview of ${name}` })
      .getByTestId('file-preview-text');
    await text.waitFor();
    return (await text.textContent()) ?? '';
  }

  /** A DataTransfer in the page carrying the files, as a drag from the desktop carries them. */
  private dataTransfer(files: DropFile[]): Promise<JSHandle> {
    return this.page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      for (const f of ${JSON.stringify(files)}) dt.items.add(new File([f.text], f.name, { type: 'text/plain' }));
      return dt;
    })()`);
  }

  /** Drops files onto the folder shown, or onto the row of one of its folders. */
  async drop(files: DropFile[], ontoFolder?: string): Promise<void> {
    const dataTransfer = await this.dataTransfer(files);
    const target = ontoFolder ? this.row(ontoFolder) : this.dropZone;
    await target.dispatchEvent('dragover', { dataTransfer });
    await target.dispatchEvent('drop', { dataTransfer });
  }

  async newFolder(name: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New folder', exact: true }).click();
    const form = this.page.getByRole('form', { name: 'New folder' });
    await form.getByLabel('Folder name').fill(name);
    await form.getByRole('button', { name: 'Create', exact: true }).click();
  }

  /** Clicks a row's delete button and returns the confirmation dialog. */
  async askDelete(name: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: `Delete ${name}?` });
    await dialog.waitFor();
    return dialog;
  }

  async delete(name: string): Promise<void> {
    const dialog = await this.askDelete(name);
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
}
