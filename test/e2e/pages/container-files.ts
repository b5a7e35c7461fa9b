import { FileBrowserPage } from './file-browser.ts';

/** The Files tab of a container: the file browser, with a path box. */
export class ContainerFilesPage extends FileBrowserPage {
  /** Goes to a folder of the breadcrumb: `/` or an absolute path. */
  async crumb(path: string): Promise<void> {
    const name = path === '/' ? 'Container root' : `Folder ${path}`;
    await this.breadcrumb.getByRole('button', { name, exact: true }).click();
  }

  async goTo(path: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Path in the container' }).fill(path);
    await this.page.getByRole('button', { name: 'Go', exact: true }).click();
  }
}
