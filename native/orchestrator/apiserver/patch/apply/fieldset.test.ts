import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldSet, keyElement, pathString } from './fieldset.ts';

const fieldsV1 = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
    'f:replicas': {},
  },
};

test('FieldsV1 reads into a set and writes back the same', () => {
  const s = FieldSet.fromFieldsV1(fieldsV1);
  assert.ok(s.has(['f:metadata', 'f:labels']), 'a `.` member');
  assert.ok(s.has(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']));
  assert.ok(!s.has(['f:spec']), 'a parent without `.` is no member');
  assert.deepEqual(s.toFieldsV1(), fieldsV1);
});

test('union, difference and intersection work path by path', () => {
  const a = FieldSet.fromPaths([['f:a'], ['f:b', 'f:c']]);
  const b = FieldSet.fromPaths([['f:b', 'f:c'], ['f:d']]);
  assert.deepEqual(a.union(b).paths(), [['f:a'], ['f:b', 'f:c'], ['f:d']]);
  assert.deepEqual(a.difference(b).paths(), [['f:a']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:b', 'f:c']]);
  assert.ok(a.difference(a).empty());
});

test('keys are sorted and take defaults; paths print as kube-apiserver prints them', () => {
  const port = keyElement({ protocol: 'UDP', containerPort: 53 }, ['containerPort', 'protocol']);
  assert.equal(port, 'k:{"containerPort":53,"protocol":"UDP"}');
  assert.equal(
    keyElement({ containerPort: 80 }, ['containerPort', 'protocol'], { protocol: 'TCP' }),
    'k:{"containerPort":80,"protocol":"TCP"}',
  );
  assert.equal(
    pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:ports', port]),
    '.spec.template.spec.containers[name="web"].ports[containerPort=53,protocol="UDP"]',
  );
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
});
