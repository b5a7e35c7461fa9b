import type { FormEvent, ReactNode } from 'react';
import type { ContractError } from '../../../electron/contract/index.ts';
import { ErrorBanner } from './ErrorBanner.tsx';

/**
 * The frame of a form that makes one thing: a titled card, the error of the last submit, a grid of fields,
 * and the submit and Cancel buttons. Its wording comes from one verb and one noun, so every such form
 * says it the same way: "Create a volume", "Cannot create the volume", "Create". While `pending` the
 * submit button is disabled and shows `pendingLabel`.
 */
export function FormCard({
  verb,
  noun,
  pendingLabel,
  ariaLabel,
  error,
  pending,
  onSubmit,
  onCancel,
  children,
}: {
  verb: string;
  noun: string;
  pendingLabel: string;
  /** The form's accessible name when it should differ from its title. */
  ariaLabel?: string;
  error: ContractError | null;
  pending: boolean;
  onSubmit: (e: FormEvent) => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const title = `${verb} a ${noun}`;
  return (
    <form className="card run-form" onSubmit={onSubmit} aria-label={ariaLabel ?? title}>
      <h2>{title}</h2>
      <ErrorBanner error={error} context={`Cannot ${verb.toLowerCase()} the ${noun}`} />
      <div className="grid">{children}</div>
      <div className="row">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? pendingLabel : verb}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
