import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContractError } from '../../../electron/contract/index.ts';
import { type FormSubmit, submitForm } from './use-form-submit.ts';

/** Runs one submit and records, in order, what the form would show and whether it closed. */
async function run(form: Omit<FormSubmit<string>, 'onDone'>) {
  const seen: string[] = [];
  const sent: string[] = [];
  await submitForm(
    {
      parse: form.parse,
      send: (req) => {
        sent.push(req);
        return form.send(req);
      },
      onDone: () => seen.push('done'),
    },
    (error) => seen.push(`error ${error.kind}: ${error.message}`),
    (pending) => seen.push(pending ? 'pending' : 'idle'),
  );
  return { seen, sent };
}

test('bad input is shown as invalid_argument and nothing is sent', async () => {
  const { seen, sent } = await run({
    parse: () => {
      throw new Error('bad port "x"');
    },
    send: async () => null,
  });
  assert.deepEqual(sent, []);
  assert.deepEqual(seen, ['error invalid_argument: bad port "x"']);
});

test('the form is pending while the request is out, and a failure is shown without closing it', async () => {
  const failure: ContractError = { kind: 'conflict', code: 'volume.exists', message: 'volume exists' };
  const { seen, sent } = await run({ parse: () => 'req', send: async () => failure });
  assert.deepEqual(sent, ['req']);
  assert.deepEqual(seen, ['pending', 'idle', 'error conflict: volume exists']);
});

test('success closes the form, whether the store answers null or undefined', async () => {
  for (const answer of [null, undefined]) {
    const { seen } = await run({ parse: () => 'req', send: async () => answer });
    assert.deepEqual(seen, ['pending', 'idle', 'done']);
  }
});
