import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../status.ts';
import { decodeKubeProtobuf } from './decode.ts';

// A minimal protobuf writer, enough to build the messages Go's gogo-protobuf writes.
const varint = (n: number | bigint): Buffer => {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
};
const int = (tag: number, n: number | bigint) => Buffer.concat([varint((tag << 3) | 0), varint(n)]);
const bytes = (tag: number, data: Buffer | string) => {
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return Buffer.concat([varint((tag << 3) | 2), varint(b.length), b]);
};
const msg = (tag: number, ...parts: Buffer[]) => bytes(tag, Buffer.concat(parts));
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'binary'),
    msg(1, bytes(1, apiVersion), bytes(2, kind)),
    bytes(2, raw),
  ]);

test('a Namespace as kubectl create namespace sends it', () => {
  const meta = msg(
    1,
    bytes(1, 'team-a'),
    bytes(2, ''),
    int(7, 0),
    msg(8), // zero creationTimestamp
    msg(11, bytes(1, 'env'), bytes(2, 'dev')),
  );
  const obj = decodeKubeProtobuf(envelope('v1', 'Namespace', Buffer.concat([meta, msg(2), msg(3)])));
  assert.deepEqual(obj, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'team-a', labels: { env: 'dev' } },
    spec: {},
    status: {},
  });
});

test('a Deployment: pointer zeros kept, omitempty zeros dropped, int-or-string, repeated and nested messages', () => {
  const container = Buffer.concat([bytes(1, 'web'), bytes(2, 'nginx'), int(16, 0) /* stdin=false */, msg(8)]);
  const template = Buffer.concat([
    msg(1, msg(11, bytes(1, 'app'), bytes(2, 'web'))),
    msg(2, msg(2, container), bytes(3, 'Always')),
  ]);
  const strategy = Buffer.concat([
    bytes(1, 'RollingUpdate'),
    msg(2, msg(1, int(1, 1), bytes(3, '25%')), msg(2, int(1, 0), int(2, 2))),
  ]);
  const spec = Buffer.concat([
    int(1, 0) /* replicas=0, a pointer */,
    msg(2, msg(1, bytes(1, 'app'), bytes(2, 'web'))),
    msg(3, template),
    msg(4, strategy),
  ]);
  const obj = decodeKubeProtobuf(
    envelope('apps/v1', 'Deployment', Buffer.concat([msg(1, bytes(1, 'web')), msg(2, spec), msg(3)])),
  );
  const s = obj.spec as Record<string, unknown>;
  assert.equal(s.replicas, 0);
  assert.deepEqual(s.selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(s.strategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: '25%', maxSurge: 2 },
  });
  const podSpec = (s.template as { spec: Record<string, unknown> }).spec;
  assert.equal(podSpec.restartPolicy, 'Always');
  assert.deepEqual(podSpec.containers, [{ name: 'web', image: 'nginx', resources: {} }]);
});

test('a Secret’s bytes come out base64, as in JSON', () => {
  const obj = decodeKubeProtobuf(
    envelope(
      'v1',
      'Secret',
      Buffer.concat([
        msg(1, bytes(1, 's')),
        msg(2, bytes(1, 'k'), bytes(2, Buffer.from([0, 255]))),
        bytes(3, 'Opaque'),
      ]),
    ),
  );
  assert.deepEqual(obj.data, { k: 'AP8=' });
  assert.equal(obj.type, 'Opaque');
});

test('bodies that are not Kubernetes protobuf are 400s', () => {
  const bad = (b: Buffer) =>
    assert.throws(
      () => decodeKubeProtobuf(b),
      (e: unknown) => e instanceof ApiError && e.code === 400,
    );
  bad(Buffer.from('{"kind":"Namespace"}'));
  bad(envelope('v1', 'Widget', Buffer.alloc(0)));
  bad(Buffer.concat([Buffer.from('k8s\0', 'binary'), Buffer.from([0x0a, 0x20, 0x01])]));
});

test('a SelfSubjectAccessReview as kubectl auth can-i sends it: empty attributes dropped', () => {
  const attrs = msg(
    1,
    bytes(1, 'default'),
    bytes(2, 'list'),
    bytes(3, ''),
    bytes(4, ''),
    bytes(5, 'pods'),
    bytes(6, ''),
    bytes(7, ''),
  );
  const obj = decodeKubeProtobuf(
    envelope(
      'authorization.k8s.io/v1',
      'SelfSubjectAccessReview',
      Buffer.concat([msg(1), msg(2, attrs), msg(3, int(1, 0))]),
    ),
  );
  assert.deepEqual(obj, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: {},
    spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
    status: { allowed: false },
  });
});
