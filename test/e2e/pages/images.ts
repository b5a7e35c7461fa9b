import type { Locator, Page } from 'playwright-core';

export class ImagesPage {
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('image-row');
  }

  row(tag: string): Locator {
    return this.rows.filter({ hasText: tag });
  }

  async remove(tag: string): Promise<void> {
    await this.page.getByRole('button', { name: `Remove image ${tag}`, exact: true }).click();
  }
}
