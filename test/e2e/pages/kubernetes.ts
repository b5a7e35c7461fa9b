import type { Locator, Page } from 'playwright-core';

/** The Kubernetes section: the nav's part (context, namespace, kinds), a kind's list and one object. */
export class KubernetesPage {
  readonly nav: Locator;
  readonly context: Locator;
  readonly namespace: Locator;
  /** The active context as the nav's section header names it on every screen. */
  readonly activeContext: Locator;
  readonly rows: Locator;
  readonly search: Locator;
  readonly problem: Locator;
  readonly detail: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' }).getByRole('group', { name: 'Kubernetes' });
    this.context = page.getByRole('combobox', { name: 'Kubernetes context' });
    this.namespace = page.getByRole('combobox', { name: 'Kubernetes namespace' });
    this.activeContext = page.getByTestId('kube-active-context');
    this.rows = page.getByTestId('kube-row');
    this.search = page.locator('.kube-screen input[type="search"]');
    this.problem = page.getByTestId('kube-problem');
    this.detail = page.getByTestId('kube-detail');
  }

  /** Opens the section (pods first), then the kind whose nav title is `title`. */
  async open(title = 'Pods'): Promise<void> {
    if (!(await this.context.isVisible()))
      await this.nav.getByRole('button', { name: /^Kubernetes/ }).click();
    await this.nav.getByRole('button', { name: title, exact: true }).click();
    await this.page.getByRole('heading', { name: title, exact: true }).waitFor();
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="kube-row"][data-name="${name}"]`);
  }

  /** The names of the rows drawn, in order. */
  names(): Promise<string[]> {
    return this.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? ''));
  }

  async useContext(name: string): Promise<void> {
    await this.context.selectOption(name);
    await this.activeContext.filter({ hasText: name }).waitFor();
  }

  async useNamespace(name: string | null): Promise<void> {
    await this.namespace.selectOption(name ?? '');
  }

  async openObject(name: string): Promise<void> {
    await this.row(name)
      .getByRole('button', { name: `Open ${name}`, exact: true })
      .click();
    await this.detail.waitFor();
  }

  async tab(name: string): Promise<void> {
    await this.page.getByRole('tab', { name, exact: true }).click();
  }

  /** Scales the workload shown through its Replicas field. */
  async scale(replicas: number): Promise<void> {
    const form = this.detail.getByRole('form', { name: /^Scale / });
    await form.getByLabel('Replicas').fill(String(replicas));
    await form.getByRole('button', { name: 'Scale', exact: true }).click();
  }
}
