import { type FormEvent, useState } from 'react';
import type { ContractError } from '../../../electron/contract/index.ts';

/** What a form does when submitted: read its fields into a request (throwing on bad input), then send it. */
export interface FormSubmit<Req> {
  parse: () => Req;
  send: (req: Req) => Promise<ContractError | null | undefined>;
  onDone: () => void;
}

/**
 * One submit: bad input is shown without sending anything; the form is pending while the request is out;
 * a failure is shown and the form stays open, success closes it.
 */
export async function submitForm<Req>(
  form: FormSubmit<Req>,
  setError: (error: ContractError) => void,
  setPending: (pending: boolean) => void,
): Promise<void> {
  let req: Req;
  try {
    req = form.parse();
  } catch (err) {
    setError({
      kind: 'invalid_argument',
      code: 'ui.form',
      message: err instanceof Error ? err.message : String(err),
    });
    return;
  }
  setPending(true);
  const failed = await form.send(req);
  setPending(false);
  if (failed) setError(failed);
  else form.onDone();
}

/** The error and pending state of a form, and its submit handler; spread it into a `FormCard`. */
export function useFormSubmit<Req>(form: FormSubmit<Req>) {
  const [error, setError] = useState<ContractError | null>(null);
  const [pending, setPending] = useState(false);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submitForm(form, setError, setPending);
  };
  return { error, pending, onSubmit };
}
