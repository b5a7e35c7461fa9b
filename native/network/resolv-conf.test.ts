import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResolvConf } from './resolv-conf.ts';

test('parseResolvConf: name servers, search domains and options; comments and unknown keys ignored', () => {
  const r = parseResolvConf(
    '# generated\nnameserver 10.0.0.2\n  nameserver 127.0.0.53\nsearch a.example b.example\noptions ndots:2 edns0\ndomain x\nnameserver\n',
  );
  assert.deepEqual(r, {
    nameservers: ['10.0.0.2', '127.0.0.53'],
    search: ['a.example', 'b.example'],
    options: ['ndots:2', 'edns0'],
  });
  assert.deepEqual(parseResolvConf(''), { nameservers: [], search: [], options: [] });
});
