import type { Locator, Page } from 'playwright-core';

export class SettingsPage {
  readonly endpointInUse: Locator;
  readonly endpointError: Locator;
  readonly endpointNotice: Locator;
  readonly startAtLogin: Locator;
  readonly loginUnavailable: Locator;
  /** The machine's settings (CPUs, memory, disk, Kubernetes, share home, start on launch). */
  readonly machine: Locator;

  constructor(readonly page: Page) {
    const endpoint = page.getByRole('form', { name: 'Engine endpoint' });
    this.endpointInUse = page.getByTestId('endpoint-in-use');
    this.endpointError = endpoint.getByRole('alert');
    this.endpointNotice = endpoint.getByRole('status');
    this.startAtLogin = page.getByRole('checkbox', { name: 'Start Berth when I log in' });
    this.loginUnavailable = page.getByTestId('login-unavailable');
    this.machine = page.getByRole('form', { name: 'Machine' });
  }

  async chooseTheme(theme: 'Light' | 'Dark' | 'System'): Promise<void> {
    await this.page
      .getByRole('group', { name: 'Theme' })
      .getByRole('radio', { name: new RegExp(`^${theme}`) })
      .check();
  }

  /** Another endpoint (an address), or the default one (null), then Apply. */
  async useEndpoint(address: string | null): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Engine endpoint' });
    if (address === null) {
      await form.getByRole('radio', { name: /^Default/ }).check();
    } else {
      await form.getByRole('radio', { name: 'Another endpoint' }).check();
      await form.getByRole('textbox', { name: 'Endpoint address' }).fill(address);
    }
    await form.getByRole('button', { name: 'Apply' }).click();
    await form.getByRole('button', { name: 'Apply' }).waitFor();
  }
}
