// The network create checks, before the engine sees a request.
// (The network handlers against a real berthd: test/integration/app/networks.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateNetworkCreate } from './networks.ts';

test('validateNetworkCreate: name, IPv4 CIDR subnet, gateway only with a subnet', () => {
  const code = (f: () => void) => {
    try {
      f();
      return 'ok';
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  assert.equal(
    code(() => validateNetworkCreate({ name: 'app', subnet: '10.1.2.0/24' })),
    'ok',
  );
  assert.equal(
    code(() => validateNetworkCreate({ name: '' })),
    'network.name_required',
  );
  assert.equal(
    code(() => validateNetworkCreate({ name: 'a b' })),
    'network.bad_name',
  );
  assert.equal(
    code(() => validateNetworkCreate({ name: 'a', subnet: '10.1.2.0' })),
    'network.bad_subnet',
  );
  assert.equal(
    code(() => validateNetworkCreate({ name: 'a', subnet: '10.1.2.300/24' })),
    'network.bad_subnet',
  );
  assert.equal(
    code(() => validateNetworkCreate({ name: 'a', gateway: '10.1.2.1' })),
    'network.gateway_needs_subnet',
  );
});
