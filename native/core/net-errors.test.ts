import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { firstNameserver, goDialError, joinHostPort } from './net-errors.ts';

function connectError(host: string, port: number): Promise<Error> {
  return new Promise((resolve) => {
    net.connect({ host, port }).once('error', resolve);
  });
}

test('a refused connection reads as Go says it, with the address dialled', async () => {
  // Port 1 on the loopback: nothing listens there.
  const err = await connectError('127.0.0.1', 1);
  assert.equal(goDialError(err), 'dial tcp 127.0.0.1:1: connect: connection refused');
  assert.equal(goDialError(err, { network: 'tcp4' }), 'dial tcp4 127.0.0.1:1: connect: connection refused');
});

test('a name that does not resolve names the resolver asked, as Go does', () => {
  const err = Object.assign(new Error('getaddrinfo ENOTFOUND registry.invalid'), {
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname: 'registry.invalid',
  });
  assert.equal(
    goDialError(err, { nameserver: '10.0.0.53:53' }),
    'dial tcp: lookup registry.invalid on 10.0.0.53:53: no such host',
  );
});

test('what is not a dial error is left to the caller', () => {
  assert.equal(goDialError(new Error('plain')), undefined);
  assert.equal(goDialError(Object.assign(new Error('x'), { code: 'EPIPE', syscall: 'write' })), undefined);
  assert.equal(goDialError(undefined), undefined);
});

test('IPv6 addresses are bracketed; a resolv.conf without a nameserver means the local one', () => {
  assert.equal(joinHostPort('::1', 5000), '[::1]:5000');
  assert.equal(joinHostPort('127.0.0.1', 5000), '127.0.0.1:5000');
  assert.equal(
    firstNameserver('search example\nnameserver 192.0.2.53\nnameserver 1.1.1.1\n'),
    '192.0.2.53:53',
  );
  assert.equal(firstNameserver('# none\n'), '127.0.0.1:53');
  assert.equal(firstNameserver('nameserver fd00::53'), '[fd00::53]:53');
});
