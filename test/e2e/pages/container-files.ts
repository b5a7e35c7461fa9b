import type { Locator, Page } from 'playwright-core';

/** The Files tab of a container: a folder listing, a breadcrumb, a path box and downloads. */
export class ContainerFilesPage {
  readonly rows: Locator;
  readonly breadcrumb: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('file-row');
    this.breadcrumb = page.getByRole('navigation', { name: 'Folder path' });
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="file-row"][data-name="${name}"]`);
  }

  async openFolder(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Open folder ${name}`, exact: true }).click();
  }

  /** Goes to a folder of the breadcrumb: `/` or an absolute path. */
  async crumb(path: string): Promise<void> {
    const name = path === '/' ? 'Container root' : `Folder ${path}`;
    await this.breadcrumb.getByRole('button', { name, exact: true }).click();
  }

  async goTo(path: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Path in the container' }).fill(path);
    await this.page.getByRole('button', { name: 'Go', exact: true }).click();
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
}
