import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePorts, parseVolumes, splitCommand } from './run-request.ts';

test('splitCommand keeps quoted arguments whole', () => {
  assert.deepEqual(splitCommand(`sh -c 'echo a; echo "b c"'`), ['sh', '-c', 'echo a; echo "b c"']);
  assert.deepEqual(splitCommand(`echo "x \\" y" z`), ['echo', 'x " y', 'z']);
  assert.deepEqual(splitCommand('  sleep   300 '), ['sleep', '300']);
  assert.deepEqual(splitCommand(''), []);
});

test('parsePorts reads HOST:CONTAINER[/proto] and refuses the rest', () => {
  assert.deepEqual(parsePorts('8080:80, 53/udp'), [
    { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostPort: undefined, containerPort: 53, protocol: 'udp' },
  ]);
  assert.deepEqual(parsePorts(''), []);
  assert.throws(() => parsePorts('80:abc'), /invalid port mapping "80:abc"/);
});

test('parseVolumes reads NAME-or-PATH:CONTAINER-PATH[:ro] and refuses the rest', () => {
  assert.deepEqual(parseVolumes('data:/data, /srv/site:/usr/share/html:ro\n/x:/y:rw'), [
    { source: 'data', target: '/data' },
    { source: '/srv/site', target: '/usr/share/html', readOnly: true },
    { source: '/x', target: '/y' },
  ]);
  assert.deepEqual(parseVolumes(' '), []);
  assert.throws(() => parseVolumes('data'), /invalid volume "data"/);
  assert.throws(() => parseVolumes('data:relative'), /invalid volume/);
  assert.throws(() => parseVolumes('data:/d:xx'), /invalid volume/);
});
