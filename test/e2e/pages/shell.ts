import type { Locator, Page } from 'playwright-core';

/** The sidebar, the theme toggle and the engine banner, shared by every screen. */
export class Shell {
  /** The one app-wide banner of an engine that does not answer. */
  readonly engineBanner: Locator;
  /** The sidebar's engine status (and its Restart when the app's own engine is down). */
  readonly engineStatus: Locator;

  constructor(readonly page: Page) {
    this.engineBanner = page.getByTestId('engine-down');
    this.engineStatus = page.getByRole('navigation', { name: 'Main' }).locator('.engine-status');
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  async open(
    screen:
      | 'Dashboard'
      | 'Containers'
      | 'Images'
      | 'Volumes'
      | 'Networks'
      | 'Terminal'
      | 'Settings'
      | 'Troubleshoot',
  ): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: screen, exact: true })
      .click();
  }

  theme(): Promise<string | undefined> {
    return this.page.evaluate<string | undefined>('document.documentElement.dataset.theme');
  }

  async switchTheme(to: 'dark' | 'light'): Promise<void> {
    const button = this.page.getByRole('button', { name: `Switch to ${to} theme` });
    if (await button.isVisible()) await button.click();
  }

  backgroundColor(): Promise<string> {
    return this.page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
  }
}
