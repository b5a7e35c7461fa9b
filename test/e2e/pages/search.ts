import type { Locator, Page } from 'playwright-core';

/** Global search: Ctrl+K (or Search in the sidebar), a box, results grouped by kind. */
export class SearchPalette {
  readonly dialog: Locator;
  readonly input: Locator;
  readonly options: Locator;
  readonly selected: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Search' });
    this.input = this.dialog.getByRole('combobox', { name: 'Search everything' });
    this.options = this.dialog.getByRole('option');
    this.selected = this.dialog.getByRole('option', { selected: true });
  }

  async openWithKeys(): Promise<void> {
    await this.page.keyboard.press('Control+k');
    await this.input.waitFor();
  }

  async openFromSidebar(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Search', exact: true })
      .click();
    await this.input.waitFor();
  }

  /** Types the query and waits until the first result is `first`. */
  async find(query: string, first: string): Promise<void> {
    await this.input.fill(query);
    await this.selected.filter({ hasText: first }).waitFor();
  }

  group(label: string): Locator {
    return this.dialog.getByRole('group', { name: label });
  }
}
