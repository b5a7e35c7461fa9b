import type { Locator, Page } from 'playwright-core';

/** One image: its tags (push, untag), a tag form, the push progress, history and files per layer. */
export class ImageDetailPage {
  readonly history: Locator;
  readonly layers: Locator;
  readonly transfer: Locator;

  constructor(readonly page: Page) {
    this.history = page.getByRole('table', { name: 'Image history' });
    this.layers = page.getByTestId('image-layer');
    this.transfer = page.getByTestId('transfer');
  }

  tag(name: string): Locator {
    return this.page.getByRole('list', { name: 'Tags' }).getByText(name, { exact: true });
  }

  async addTag(ref: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Tag the image' });
    await form.getByLabel('New tag').fill(ref);
    await form.getByRole('button', { name: 'Tag', exact: true }).click();
    await this.tag(ref).waitFor();
  }

  async push(ref: string): Promise<void> {
    await this.page.getByRole('button', { name: `Push ${ref}`, exact: true }).click();
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: 'Back to images' }).click();
  }
}
