import type { Locator, Page } from 'playwright-core';

export type DiskType = 'Images' | 'Containers' | 'Local Volumes' | 'Build Cache';

export class DashboardPage {
  readonly engineCard: Locator;
  readonly capacity: Locator;
  readonly usageCard: Locator;
  readonly containersCount: Locator;
  readonly imagesCount: Locator;
  readonly volumesCount: Locator;
  readonly networksCount: Locator;
  readonly diskTable: Locator;
  /** The app-wide banner of an engine that does not answer (shown above every screen). */
  readonly unreachable: Locator;

  constructor(readonly page: Page) {
    this.engineCard = page.getByTestId('engine-card');
    this.capacity = page.getByTestId('engine-capacity');
    this.usageCard = page.getByTestId('usage-card');
    this.containersCount = page.getByTestId('containers-count');
    this.imagesCount = page.getByTestId('images-count');
    this.volumesCount = page.getByTestId('volumes-count');
    this.networksCount = page.getByTestId('networks-count');
    this.diskTable = page.getByRole('table', { name: 'Disk use' });
    this.unreachable = page.getByTestId('engine-down');
  }

  /** A row of the disk table as the docker CLI's JSON names its fields. */
  async diskRow(
    type: DiskType,
  ): Promise<{ Type: string; TotalCount: string; Active: string; Size: string; Reclaimable: string }> {
    const row = this.diskTable.locator(`tr[data-type="${type}"]`);
    const cells = (await row.locator('th, td').allInnerTexts()).map((t) => t.trim());
    return { Type: cells[0], TotalCount: cells[1], Active: cells[2], Size: cells[3], Reclaimable: cells[4] };
  }

  /** Clean up… then confirm in the dialog. */
  async cleanUp(): Promise<void> {
    await this.page.getByRole('button', { name: 'Clean up…' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Clean up the engine?' });
    await dialog.getByRole('button', { name: 'Clean up', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
}
