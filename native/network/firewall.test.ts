import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunOptions, RunResult, Sys } from '../core/sys.ts';
import { Firewall, jumpState, savedRules } from './firewall.ts';

/** A Sys that answers iptables-save with `saved` (or fails it), `-C` with `checks`, and records all. */
function fakeSys(saved: string | undefined, checks: Record<string, number> = {}) {
  const calls: { cmd: string; args: string[]; input?: string }[] = [];
  const sys: Sys = {
    async run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult> {
      calls.push({ cmd, args, input: opts?.input?.toString() });
      if (cmd === 'iptables-save')
        return saved === undefined
          ? { code: 1, stdout: '', stderr: 'no' }
          : { code: 0, stdout: saved, stderr: '' };
      if (cmd === 'iptables') return { code: checks[args[4]] ?? 1, stdout: '', stderr: '' };
      return { code: 0, stdout: '', stderr: '' };
    },
    kill: () => true,
    alive: () => true,
  };
  return { sys, calls };
}

const ours = [
  '*nat',
  ':PREROUTING ACCEPT [0:0]',
  '-A PREROUTING -m addrtype --dst-type LOCAL -j BERTH-t',
  '-A OUTPUT -m addrtype --dst-type LOCAL -j BERTH-t',
  '-A POSTROUTING -j BERTH-POST-t',
  'COMMIT',
  '*filter',
  '-A FORWARD -j DOCKER-USER',
  '-A FORWARD -j BERTH-FWD-t',
  'COMMIT',
  '',
].join('\n');

describe('Firewall.init', () => {
  test('a first start: one save, one restore that makes the chains and inserts every jump, no -C', async () => {
    const { sys, calls } = fakeSys(
      '*nat\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n',
    );
    await new Firewall(sys, '-t').init();
    assert.deepEqual(
      calls.map((c) => c.cmd),
      ['iptables-save', 'iptables-restore'],
    );
    assert.equal(
      calls[1].input,
      [
        '*nat',
        ':BERTH-t - [0:0]',
        ':BERTH-POST-t - [0:0]',
        '-I PREROUTING 1 -m addrtype --dst-type LOCAL -j BERTH-t',
        '-I OUTPUT 1 -m addrtype --dst-type LOCAL -j BERTH-t',
        '-I POSTROUTING 1 -j BERTH-POST-t',
        'COMMIT',
        '*filter',
        ':BERTH-t - [0:0]',
        ':BERTH-FWD-t - [0:0]',
        ':BERTH-ISO1-t - [0:0]',
        ':BERTH-ISO2-t - [0:0]',
        '-I FORWARD 1 -j BERTH-FWD-t',
        '-A BERTH-FWD-t -j BERTH-ISO1-t',
        'COMMIT',
        '',
      ].join('\n'),
    );
    assert.deepEqual(calls[1].args, ['--noflush']);
  });

  test('a restart: the jumps that are there are not inserted again', async () => {
    const { sys, calls } = fakeSys(ours);
    await new Firewall(sys, '-t').init();
    assert.equal(calls.length, 2);
    assert.doesNotMatch(calls[1].input ?? '', /-I /);
    assert.match(calls[1].input ?? '', /:BERTH-FWD-t - \[0:0\]\n/);
  });

  test('a jump to our chain in another form is checked with -C; without a save every jump is', async () => {
    const odd = ours.replace('-A POSTROUTING -j BERTH-POST-t', '-A POSTROUTING -j  BERTH-POST-t -m comment');
    const one = fakeSys(odd, { POSTROUTING: 0 });
    await new Firewall(one.sys, '-t').init();
    assert.deepEqual(
      one.calls.map((c) => `${c.cmd} ${c.args.slice(3, 5).join(' ')}`.trim()),
      ['iptables-save', 'iptables -C POSTROUTING', 'iptables-restore'],
    );
    assert.doesNotMatch(one.calls[2].input ?? '', /-I POSTROUTING/);

    const none = fakeSys(undefined, { PREROUTING: 0, OUTPUT: 0 });
    await new Firewall(none.sys, '-t').init();
    assert.equal(none.calls.filter((c) => c.args.includes('-C')).length, 4);
    const input = none.calls.at(-1)?.input ?? '';
    assert.doesNotMatch(input, /-I (PREROUTING|OUTPUT)/);
    assert.match(input, /-I POSTROUTING 1 -j BERTH-POST-t\n/);
    assert.match(input, /-I FORWARD 1 -j BERTH-FWD-t\n/);
  });

  test('savedRules and jumpState read iptables-save output', () => {
    const tables = savedRules(ours);
    assert.equal(tables.get('filter')?.length, 2);
    const fwd = { table: 'filter' as const, chain: 'FORWARD', spec: ['-j', 'BERTH-FWD-t'] };
    assert.equal(jumpState(tables, fwd), 'present');
    assert.equal(jumpState(tables, { ...fwd, spec: ['-j', 'BERTH-FWD-u'] }), 'absent');
    assert.equal(jumpState(tables, { ...fwd, table: 'nat' }), 'absent');
  });
});
