import type { Locator, Page } from 'playwright-core';

export type ChartName = 'cpu' | 'memory' | 'network' | 'block-io';

/** The Stats tab of a container: a live chart per resource. */
export class ContainerStatsPage {
  constructor(readonly page: Page) {}

  chart(name: ChartName): Locator {
    return this.page.getByTestId(`chart-${name}`);
  }

  /** How many samples the chart holds now. */
  async samples(name: ChartName): Promise<number> {
    return Number(await this.chart(name).getAttribute('data-samples'));
  }

  /** The drawn line (its SVG path) of a chart's first series. */
  line(name: ChartName): Promise<string | null> {
    return this.chart(name).locator('path.line').first().getAttribute('d');
  }

  /** The headline figure of a card, e.g. `12.5 %` for the CPU. */
  async value(name: 'cpu' | 'memory'): Promise<string> {
    return ((await this.page.getByTestId(`stat-${name}`).textContent()) ?? '').trim();
  }
}
