import type { Locator, Page } from 'playwright-core';
import { RunFormPage } from './run-form.ts';

/** One image: its tags (push, untag), a tag form, the push progress, history and files per layer. */
export class ImageDetailPage {
  readonly history: Locator;
  readonly layers: Locator;
  readonly transfer: Locator;
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.history = page.getByRole('table', { name: 'Image history' });
    this.layers = page.getByTestId('image-layer');
    this.transfer = page.getByTestId('transfer');
    this.dialog = page.getByRole('dialog');
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

  async untag(ref: string): Promise<void> {
    await this.page.getByRole('button', { name: `Untag ${ref}`, exact: true }).click();
  }

  /** Clicks Remove image: the dialog asks. */
  async remove(): Promise<void> {
    await this.page.getByRole('button', { name: 'Remove image', exact: true }).click();
  }

  async run(tag: string): Promise<RunFormPage> {
    await this.page.getByRole('button', { name: `Run ${tag}`, exact: true }).click();
    return new RunFormPage(this.page);
  }

  async push(ref: string): Promise<void> {
    await this.page.getByRole('button', { name: `Push ${ref}`, exact: true }).click();
  }

  async back(): Promise<void> {
    await this.page.getByRole('button', { name: 'Back to images' }).click();
  }
}
