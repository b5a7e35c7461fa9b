import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFieldErrors } from '../status.ts';
import { applyDefaults, goRegExp, type JsonSchema, prune, validate } from './structural.ts';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 2, maxLength: 8 },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0, multipleOf: 0.5 },
        mode: { type: 'string', enum: ['fast', 'slow'], default: 'slow' },
        cron: { type: 'string', pattern: '^\\d+$' },
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
        env: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
        },
        nested: {
          type: 'object',
          default: {},
          properties: { level: { type: 'integer', default: 3 } },
        },
      },
    },
  },
};

test('pruning drops what the schema does not name and says where; apiVersion, kind and metadata stay', () => {
  const obj = {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'a', bogus: 1 },
    extra: true,
    spec: {
      image: 'nginx',
      colour: 'blue',
      env: [{ name: 'A', value: 'b', junk: 1 }],
      labels: { a: 'b' },
      config: { anything: { goes: [1] } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', nope: 1 }, spec: { x: 'y', z: 1 } },
    },
  };
  const pruned = prune(obj, schema);
  assert.deepEqual(pruned.sort(), [
    'extra',
    'metadata.bogus',
    'spec.colour',
    'spec.env[0].junk',
    'spec.template.metadata.nope',
    'spec.template.spec.z',
  ]);
  assert.deepEqual(obj, {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'a' },
    spec: {
      image: 'nginx',
      env: [{ name: 'A', value: 'b' }],
      labels: { a: 'b' },
      config: { anything: { goes: [1] } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y' } },
    },
  });
});

test('defaults fill absent fields (nested ones too) and non-nullable nulls', () => {
  const obj: Record<string, unknown> = { spec: { image: 'nginx', replicas: null, note: null } };
  applyDefaults(obj, schema);
  assert.deepEqual(obj.spec, { image: 'nginx', replicas: 1, note: null, mode: 'slow', nested: { level: 3 } });
  const kept = { spec: { image: 'x', replicas: 4, mode: 'fast', nested: { level: 7 } } };
  applyDefaults(kept, schema);
  assert.deepEqual(kept.spec, { image: 'x', replicas: 4, mode: 'fast', nested: { level: 7 } });
});

const messages = (value: unknown) => describeFieldErrors(validate(value, schema));

test('validation speaks as kube-openapi does', () => {
  assert.deepEqual(messages({ spec: { image: 3, replicas: 'x' } }), [
    'spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"',
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  ]);
  assert.deepEqual(messages({ spec: {} }), ['spec.image: Required value']);
  assert.deepEqual(
    messages({
      spec: {
        image: 'a',
        replicas: 11,
        ratio: 0,
        mode: 'medium',
        cron: 'x',
        tags: [],
      },
    }),
    [
      'spec.image: Invalid value: "a": spec.image in body should be at least 2 chars long',
      'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
      'spec.mode: Unsupported value: "medium": supported values: "fast", "slow"',
      'spec.cron: Invalid value: "x": spec.cron in body should match \'^\\d+$\'',
      'spec.tags: Invalid value: []: spec.tags in body should have at least 1 items',
    ],
  );
  assert.deepEqual(
    messages({ spec: { image: 'abcdefghij', replicas: 0, ratio: 0.7, tags: ['a', 'b', 'c'] } }),
    [
      'spec.image: Too long: may not be more than 8 bytes',
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'spec.ratio: Invalid value: 0.7: spec.ratio in body should be a multiple of 0.5',
      'spec.tags: Too many: 3: must have at most 2 items',
    ],
  );
  assert.deepEqual(
    messages({
      spec: {
        image: 'ok',
        env: [{ name: 'A' }, { name: 'A' }],
        labels: { a: 1 },
      },
    }),
    [
      'spec.env[1]: Duplicate value: map[string]interface {}{"name":"A"}',
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
    ],
  );
});

test('int-or-string, nullable, preserve-unknown-fields and embedded resources are accepted as declared', () => {
  assert.deepEqual(messages({ spec: { image: 'ok', port: 80 } }), []);
  assert.deepEqual(messages({ spec: { image: 'ok', port: 'http' } }), []);
  assert.deepEqual(messages({ spec: { image: 'ok', port: true } }), [
    'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
  ]);
  assert.deepEqual(messages({ spec: { image: 'ok', note: null } }), []);
  assert.deepEqual(messages({ spec: { image: 'ok', config: { a: [1, { b: 2 }] } } }), []);
  assert.deepEqual(
    messages({ spec: { image: 'ok', template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } } }),
    [],
  );
});

test("patterns are RE2's: flag groups, \\A and \\z, POSIX classes; one that does not compile here is not checked", () => {
  assert.equal(goRegExp('^(?i)(abort|warn)?$')?.test('WARN'), true);
  assert.equal(goRegExp('^(?i)(abort|warn)?$')?.test('fail'), false);
  assert.equal(goRegExp('\\Aab\\z')?.test('ab\n'), false);
  assert.equal(goRegExp('\\Aab\\z')?.test('ab'), true);
  assert.equal(goRegExp('^[[:alpha:]_]+$')?.test('a_B'), true);
  assert.equal(goRegExp('^[[:alpha:]_]+$')?.test('a1'), false);
  assert.equal(goRegExp('^a\\_b$')?.test('a_b'), true);
  const odd: JsonSchema = { type: 'object', properties: { s: { type: 'string', pattern: '(?P<x' } } };
  assert.deepEqual(validate({ s: 'anything' }, odd), []);
});

test('a wrong type is reported beside the enum it misses; failed combinators name no field, as kube-openapi', () => {
  const enums: JsonSchema = {
    type: 'object',
    properties: { n: { type: 'integer', enum: [1, 2] }, s: { type: 'string', enum: ['a', 'b'] } },
  };
  assert.deepEqual(describeFieldErrors(validate({ n: 'x', s: true }, enums)), [
    'n: Invalid value: "string": n in body must be of type integer: "string"',
    'n: Unsupported value: "x": supported values: "1", "2"',
    's: Invalid value: "boolean": s in body must be of type string: "boolean"',
    's: Unsupported value: true: supported values: "a", "b"',
  ]);
  const anyOf: JsonSchema = {
    type: 'object',
    properties: {
      field: {
        nullable: true,
        'x-kubernetes-int-or-string': true,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
      },
    },
  };
  assert.deepEqual(describeFieldErrors(validate({ field: true }, anyOf)).sort(), [
    '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
    'field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"',
    'field: Invalid value: "boolean": field in body must be of type integer: "boolean"',
  ]);
  assert.deepEqual(validate({ field: null }, anyOf), []);
  assert.deepEqual(validate({ field: 'x' }, anyOf), []);
});
