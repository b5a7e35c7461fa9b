import { runOk, type Sys } from '../core/sys.ts';

/**
 * iptables rules of bridge networks and published ports, in chains of the daemon's own (their names
 * carry a tag so that two daemons on one host never touch each other's rules). Rules go in batches
 * through `iptables-restore --noflush`; on start the daemon flushes its chains and writes them anew
 * from its records, so the rules always follow the records.
 */

export type Table = 'nat' | 'filter';

export interface Rule {
  table: Table;
  chain: string;
  spec: string[];
}

export interface Chains {
  /** nat: DNAT of published ports; filter: ACCEPT of the forwarded traffic to them. */
  main: string;
  /** nat POSTROUTING: masquerading. */
  post: string;
  /** filter FORWARD: what crosses our bridges. */
  forward: string;
  /** filter: isolation between networks (two stages, as Docker). */
  iso1: string;
  iso2: string;
}

export function chainsFor(tag: string): Chains {
  return {
    main: `BERTH${tag}`,
    post: `BERTH-POST${tag}`,
    forward: `BERTH-FWD${tag}`,
    iso1: `BERTH-ISO1${tag}`,
    iso2: `BERTH-ISO2${tag}`,
  };
}

export interface BridgeRules {
  bridge: string;
  subnet: string;
  internal: boolean;
  /** Inter-container communication on the bridge (com.docker.network.bridge.enable_icc). */
  icc: boolean;
}

export interface PortRule {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  bridge: string;
}

export function bridgeRules(c: Chains, b: BridgeRules): Rule[] {
  const r: Rule[] = [];
  const add = (table: Table, chain: string, ...spec: string[]) => r.push({ table, chain, spec });
  if (!b.internal) add('nat', c.post, '-s', b.subnet, '!', '-o', b.bridge, '-j', 'MASQUERADE');
  add('nat', c.post, '-m', 'addrtype', '--src-type', 'LOCAL', '-o', b.bridge, '-j', 'MASQUERADE');
  add('nat', c.main, '-i', b.bridge, '-j', 'RETURN');
  if (b.internal) {
    add('filter', c.iso1, '!', '-s', b.subnet, '-o', b.bridge, '-j', 'DROP');
    add('filter', c.iso1, '-i', b.bridge, '!', '-d', b.subnet, '-j', 'DROP');
  } else {
    add('filter', c.iso1, '-i', b.bridge, '!', '-o', b.bridge, '-j', c.iso2);
    add('filter', c.iso2, '-o', b.bridge, '-j', 'DROP');
    add(
      'filter',
      c.forward,
      '-o',
      b.bridge,
      '-m',
      'conntrack',
      '--ctstate',
      'RELATED,ESTABLISHED',
      '-j',
      'ACCEPT',
    );
    add('filter', c.forward, '-o', b.bridge, '-j', c.main);
    add('filter', c.forward, '-i', b.bridge, '!', '-o', b.bridge, '-j', 'ACCEPT');
  }
  add('filter', c.forward, '-i', b.bridge, '-o', b.bridge, '-j', b.icc ? 'ACCEPT' : 'DROP');
  return r;
}

export function portRules(c: Chains, p: PortRule): Rule[] {
  const dst = p.hostIp && p.hostIp !== '0.0.0.0' ? ['-d', `${p.hostIp}/32`] : [];
  const m = ['-p', p.proto, '-m', p.proto];
  return [
    {
      table: 'nat',
      chain: c.main,
      spec: [
        ...dst,
        '!',
        '-i',
        p.bridge,
        ...m,
        '--dport',
        String(p.hostPort),
        '-j',
        'DNAT',
        '--to-destination',
        `${p.containerIp}:${p.containerPort}`,
      ],
    },
    {
      table: 'filter',
      chain: c.main,
      spec: [
        '-d',
        `${p.containerIp}/32`,
        '!',
        '-i',
        p.bridge,
        '-o',
        p.bridge,
        ...m,
        '--dport',
        String(p.containerPort),
        '-j',
        'ACCEPT',
      ],
    },
    {
      table: 'nat',
      chain: c.post,
      spec: [
        '-s',
        `${p.containerIp}/32`,
        '-d',
        `${p.containerIp}/32`,
        ...m,
        '--dport',
        String(p.containerPort),
        '-j',
        'MASQUERADE',
      ],
    },
  ];
}

/** The iptables-restore input that appends (`-A`) or deletes (`-D`) rules. */
export function restoreInput(op: '-A' | '-D', rules: Rule[]): string {
  let out = '';
  for (const table of ['nat', 'filter'] as const) {
    const mine = rules.filter((r) => r.table === table);
    if (!mine.length) continue;
    out += `*${table}\n`;
    for (const r of mine) out += `${op} ${r.chain} ${specText(r.spec)}\n`;
    out += 'COMMIT\n';
  }
  return out;
}

function specText(spec: string[]): string {
  return spec.map(quote).join(' ');
}

/** The `-A` lines of `iptables-save` output, by table. */
export function savedRules(text: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = [];
      tables.set(line.slice(1).trim(), current);
    } else if (line.startsWith('-A ')) current?.push(line.trim());
  }
  return tables;
}

/** Whether saved rules hold a jump: word for word, not at all, or in a form only `-C` can judge. */
export function jumpState(tables: Map<string, string[]>, j: Rule): 'present' | 'absent' | 'unsure' {
  const lines = tables.get(j.table) ?? [];
  if (lines.includes(`-A ${j.chain} ${specText(j.spec)}`)) return 'present';
  const target = j.spec[j.spec.length - 1];
  const prefix = `-A ${j.chain} `;
  return lines.some((l) => l.startsWith(prefix) && l.split(' ').includes(target)) ? 'unsure' : 'absent';
}

function quote(s: string): string {
  return /^[\w./:,!=-]+$/.test(s) ? s : `"${s.replaceAll('"', '\\"')}"`;
}

export class Firewall {
  readonly chains: Chains;

  constructor(
    private readonly sys: Sys,
    tag: string,
  ) {
    this.chains = chainsFor(tag);
  }

  /**
   * Creates the chains (or empties them, so that the caller can write them anew) and the jumps into
   * them, in one `iptables-save` and one `iptables-restore`: at a boot under emulation every process
   * costs a tenth of a second, and checking each jump with `iptables -C` took eight or more. A jump is
   * taken as present when the saved rules hold it word for word, and as missing when its chain has no
   * rule jumping to ours; a rule that jumps to ours in another form is checked with `-C`, as is every
   * jump when the rules cannot be saved.
   */
  async init(): Promise<void> {
    const c = this.chains;
    const want: Array<[Table, string]> = [
      ['nat', c.main],
      ['nat', c.post],
      ['filter', c.main],
      ['filter', c.forward],
      ['filter', c.iso1],
      ['filter', c.iso2],
    ];
    const jumps: Rule[] = [
      { table: 'nat', chain: 'PREROUTING', spec: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.main] },
      { table: 'nat', chain: 'OUTPUT', spec: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.main] },
      { table: 'nat', chain: 'POSTROUTING', spec: ['-j', c.post] },
      { table: 'filter', chain: 'FORWARD', spec: ['-j', c.forward] },
    ];
    const saved = await this.sys.run('iptables-save', []).catch(() => undefined);
    const tables = saved?.code === 0 ? savedRules(saved.stdout) : undefined;
    const missing: Rule[] = [];
    for (const j of jumps) {
      const state = tables ? jumpState(tables, j) : 'unsure';
      if (state === 'present') continue;
      if (state === 'unsure') {
        const check = await this.sys.run('iptables', ['-w', '-t', j.table, '-C', j.chain, ...j.spec]);
        if (check.code === 0) continue;
      }
      missing.push(j);
    }
    const own: Rule[] = [{ table: 'filter', chain: c.forward, spec: ['-j', c.iso1] }];
    let input = '';
    for (const table of ['nat', 'filter'] as const) {
      input += `*${table}\n`;
      // A chain declaration in iptables-restore creates the chain or empties it.
      for (const [t, name] of want) if (t === table) input += `:${name} - [0:0]\n`;
      for (const j of missing) if (j.table === table) input += `-I ${j.chain} 1 ${specText(j.spec)}\n`;
      for (const r of own) if (r.table === table) input += `-A ${r.chain} ${specText(r.spec)}\n`;
      input += 'COMMIT\n';
    }
    await runOk(this.sys, 'iptables-restore', ['--noflush'], { input });
  }

  async append(rules: Rule[]): Promise<void> {
    if (!rules.length) return;
    await runOk(this.sys, 'iptables-restore', ['--noflush'], { input: restoreInput('-A', rules) });
  }

  /** Deletes rules; a rule that is already gone is no error. */
  async remove(rules: Rule[]): Promise<void> {
    if (!rules.length) return;
    const r = await this.sys.run('iptables-restore', ['--noflush'], { input: restoreInput('-D', rules) });
    if (r.code === 0) return;
    for (const rule of rules) {
      await this.sys.run('iptables', ['-w', '-t', rule.table, '-D', rule.chain, ...rule.spec]);
    }
  }
}
