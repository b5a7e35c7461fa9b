// The pieces every provider shares: the progress protocol, following a log file, the default provider.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../native/core/manual-clock.ts';
import { FakeHost } from './fake-host.ts';
import { FileTail } from './file-tail.ts';
import { defaultProvider } from './index.ts';
import { parseProgress } from './progress.ts';

describe('progress lines', () => {
  it('stage, ready and error as the contract writes them; anything else is not ours', () => {
    assert.deepEqual(parseProgress('stage data-disk mkfs.ext4 on /dev/vdb'), {
      kind: 'stage',
      stage: 'data-disk',
      text: 'mkfs.ext4 on /dev/vdb',
    });
    assert.deepEqual(parseProgress('stage init'), { kind: 'stage', stage: 'init', text: '' });
    assert.deepEqual(parseProgress('ready berthd 0.1.0 up in 2.1 s\r'), {
      kind: 'ready',
      stage: 'ready',
      text: 'berthd 0.1.0 up in 2.1 s',
    });
    assert.deepEqual(parseProgress('error network no DHCP lease on eth0'), {
      kind: 'error',
      stage: 'network',
      text: 'no DHCP lease on eth0',
    });
    assert.equal(parseProgress('stage'), null);
    assert.equal(parseProgress('staged data'), null);
    assert.equal(parseProgress('[    1.2] random kernel line'), null);
  });
});

describe('FileTail', () => {
  it('delivers whole lines as they are appended, keeps a partial one until its newline, flushes it at stop', async () => {
    const host = new FakeHost();
    const clock = new ManualClock();
    const lines: string[] = [];
    const tail = new FileTail(host, clock, '/m/serial.log', (l) => lines.push(l), 200);
    tail.start();
    await clock.advance(200);
    assert.deepEqual(lines, []);
    host.append('/m/serial.log', 'Linux version 6.1\r\n[ 0.1] half');
    await clock.advance(200);
    assert.deepEqual(lines, ['Linux version 6.1']);
    host.append('/m/serial.log', ' a line\nlast');
    await clock.advance(200);
    assert.deepEqual(lines, ['Linux version 6.1', '[ 0.1] half a line']);
    await tail.stop();
    assert.deepEqual(lines.at(-1), 'last');
    host.append('/m/serial.log', 'after stop\n');
    await clock.advance(1000);
    assert.equal(lines.length, 3);
    assert.deepEqual(clock.pending(), []);
  });
});

describe('default provider', () => {
  it('wsl on Windows, qemu on macOS and for a Linux user, native for Linux root', () => {
    assert.equal(defaultProvider({ platform: 'win32', isRoot: false }), 'wsl');
    assert.equal(defaultProvider({ platform: 'darwin', isRoot: true }), 'qemu');
    assert.equal(defaultProvider({ platform: 'linux', isRoot: false }), 'qemu');
    assert.equal(defaultProvider({ platform: 'linux', isRoot: true }), 'native');
  });
});
