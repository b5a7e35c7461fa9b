import type { Locator, Page } from 'playwright-core';

export interface RunOptions {
  image?: string;
  name?: string;
  cmd?: string;
  entrypoint?: string;
  env?: string;
  /** `8080:80, 8081:80, 53/udp`: one port row each. */
  ports?: string;
  /** `data:/data, /srv:/srv:ro`: a volume (new unless it exists) or a host folder, one row each. */
  volumes?: string;
  network?: string;
  restart?: 'No (default)' | 'On failure' | 'Always' | 'Unless stopped';
  maxRetries?: string;
  /** A file to load into the environment, as `--env-file`. */
  envFile?: string;
}

/** The run form (containers screen, images list, image detail): fields, port and volume rows, env file. */
export class RunFormPage {
  readonly form: Locator;
  /** The pull of an image the engine lacks, shown inside the form. */
  readonly transfer: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Run a new container' });
    this.transfer = this.form.getByTestId('transfer');
  }

  field(label: string): Locator {
    return this.form.getByLabel(label, { exact: true });
  }

  /** A textarea's label reads its text too: matched by its start. */
  get env(): Locator {
    return this.form.getByLabel(/^Environment \(KEY=value, one per line\)/);
  }

  async setPorts(spec: string): Promise<void> {
    const rows = spec.split(/[,\s]+/).filter(Boolean);
    for (const [i, p] of rows.entries()) {
      const m = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/.exec(p);
      if (!m) throw new Error(`bad port spec ${p}`);
      const n = i + 1;
      if (!(await this.field(`Container port ${n}`).count()))
        await this.form.getByRole('button', { name: 'Add port' }).click();
      await this.field(`Host port ${n}`).fill(m[1] ?? '');
      await this.field(`Container port ${n}`).fill(m[2]);
      await this.field(`Protocol ${n}`).selectOption(m[3] ?? 'tcp');
    }
  }

  async setVolumes(spec: string): Promise<void> {
    const rows = spec.split(/[,\s]+/).filter(Boolean);
    for (const [i, v] of rows.entries()) {
      const [source, target, mode] = v.split(':');
      const n = i + 1;
      await this.form.getByRole('button', { name: 'Add volume' }).click();
      const select = this.field(`Source ${n}`);
      if (source.startsWith('/')) {
        await select.selectOption('host');
        await this.field(`Host path ${n}`).fill(source);
      } else if (await select.locator(`option[value="volume:${source}"]`).count()) {
        await select.selectOption(`volume:${source}`);
      } else {
        await select.selectOption('new');
        await this.field(`New volume name ${n}`).fill(source);
      }
      await this.field(`Container path ${n}`).fill(target);
      if (mode === 'ro') await this.field(`Read-only ${n}`).check();
    }
  }

  async fill(o: RunOptions): Promise<void> {
    if (o.image !== undefined) await this.field('Image').fill(o.image);
    if (o.name !== undefined) await this.field('Name').fill(o.name);
    if (o.cmd) await this.field('Command').fill(o.cmd);
    if (o.entrypoint) await this.field('Entrypoint').fill(o.entrypoint);
    if (o.env) await this.env.fill(o.env);
    if (o.envFile) await this.field('Env file').setInputFiles(o.envFile);
    if (o.ports) await this.setPorts(o.ports);
    if (o.volumes) await this.setVolumes(o.volumes);
    if (o.network) await this.field('Network').selectOption(o.network);
    if (o.restart) await this.field('Restart policy').selectOption({ label: o.restart });
    if (o.maxRetries) await this.field('Maximum retries').fill(o.maxRetries);
  }

  async submit(): Promise<void> {
    await this.form.getByRole('button', { name: 'Run', exact: true }).click();
  }

  /** Fills, runs, and waits for the form to close (the container started). */
  async run(o: RunOptions): Promise<void> {
    await this.fill(o);
    await this.submit();
    await this.form.waitFor({ state: 'detached', timeout: 60_000 });
  }
}
