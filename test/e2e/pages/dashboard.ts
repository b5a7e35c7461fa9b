import type { Locator, Page } from 'playwright-core';

export class DashboardPage {
  readonly engineCard: Locator;
  readonly containersCount: Locator;
  readonly imagesCount: Locator;
  readonly unreachable: Locator;

  constructor(readonly page: Page) {
    this.engineCard = page.getByTestId('engine-card');
    this.containersCount = page.getByTestId('containers-count');
    this.imagesCount = page.getByTestId('images-count');
    this.unreachable = page.getByTestId('engine-unreachable');
  }
}
