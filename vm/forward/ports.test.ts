import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { containerOfEvent } from './engine-watch.ts';
import {
  diffPorts,
  guestAddressFor,
  hostAddressFor,
  portKey,
  portsOfInspect,
  portsOfSummary,
} from './ports.ts';

const keys = (l: Array<{ proto: 'tcp' | 'udp'; hostIp: string; port: number }>) => l.map(portKey).sort();

describe('published ports → host listeners', () => {
  test('0.0.0.0, :: and empty listen on the host 127.0.0.1; a 127.x address on itself', () => {
    assert.equal(hostAddressFor('0.0.0.0'), '127.0.0.1');
    assert.equal(hostAddressFor('::'), '127.0.0.1');
    assert.equal(hostAddressFor(''), '127.0.0.1');
    assert.equal(hostAddressFor('127.0.0.5'), '127.0.0.5');
    assert.equal(hostAddressFor('10.0.2.15'), '127.0.0.1');
    assert.equal(guestAddressFor('0.0.0.0'), '127.0.0.1');
    assert.equal(guestAddressFor('127.0.0.5'), '127.0.0.5');
    assert.equal(guestAddressFor('10.0.2.15'), '10.0.2.15');
  });

  test('from docker ps: only published ports, TCP and UDP, v4 and v6 of one port as one listener', () => {
    const ports = portsOfSummary([
      { PrivatePort: 80, Type: 'tcp' }, // exposed, not published
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '127.0.0.2', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
      { IP: '0.0.0.0', PrivatePort: 9, PublicPort: 9000, Type: 'sctp' },
    ]);
    assert.deepEqual(ports, [
      { proto: 'tcp', hostIp: '127.0.0.1', port: 8080, guestHost: '127.0.0.1' },
      { proto: 'udp', hostIp: '127.0.0.2', port: 5353, guestHost: '127.0.0.2' },
    ]);
  });

  test('from inspect: the bindings of a running container, none once it stopped', () => {
    const running = {
      State: { Running: true },
      NetworkSettings: {
        Ports: {
          '80/tcp': [
            { HostIp: '0.0.0.0', HostPort: '32768' },
            { HostIp: '::', HostPort: '32768' },
          ],
          '53/udp': [{ HostIp: '', HostPort: '5353' }],
          '443/tcp': null,
        },
      },
    };
    assert.deepEqual(keys(portsOfInspect(running)), ['tcp/127.0.0.1:32768', 'udp/127.0.0.1:5353']);
    assert.deepEqual(portsOfInspect({ ...running, State: { Running: false } }), []);
  });

  test('the diff adds what is new, removes what went, and re-opens a port whose guest side moved', () => {
    const a = { proto: 'tcp' as const, hostIp: '127.0.0.1', port: 80 };
    const b = { proto: 'udp' as const, hostIp: '127.0.0.1', port: 53 };
    const c = { proto: 'tcp' as const, hostIp: '127.0.0.2', port: 80 };
    const d = diffPorts([a, b], [b, c]);
    assert.deepEqual(keys(d.add), ['tcp/127.0.0.2:80']);
    assert.deepEqual(keys(d.remove), ['tcp/127.0.0.1:80']);
    const moved = diffPorts([a], [{ ...a, guestHost: '127.0.0.9' }]);
    assert.deepEqual([keys(moved.add), keys(moved.remove)], [['tcp/127.0.0.1:80'], ['tcp/127.0.0.1:80']]);
    assert.deepEqual(diffPorts([a, b], [b, a]), { add: [], remove: [] });
  });

  test('the events that can change a container’s ports name it', () => {
    assert.equal(containerOfEvent({ Type: 'container', Action: 'start', Actor: { ID: 'c1' } }), 'c1');
    assert.equal(containerOfEvent({ Type: 'container', Action: 'destroy', Actor: { ID: 'c1' } }), 'c1');
    assert.equal(
      containerOfEvent({
        Type: 'network',
        Action: 'connect',
        Actor: { ID: 'n1', Attributes: { container: 'c2' } },
      }),
      'c2',
    );
    assert.equal(
      containerOfEvent({ Type: 'container', Action: 'exec_start', Actor: { ID: 'c1' } }),
      undefined,
    );
    assert.equal(containerOfEvent({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox' } }), undefined);
  });
});
