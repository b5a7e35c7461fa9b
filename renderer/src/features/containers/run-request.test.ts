import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePorts, splitCommand } from './run-request.ts';

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
