import { useStore } from '../store/index.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/** The one confirmation dialog of the app, asked for with the store's `confirm()`. */
export function ConfirmHost() {
  const req = useStore((s) => s.confirming);
  const answer = useStore((s) => s.answerConfirm);
  return (
    <ConfirmDialog
      open={req !== null}
      title={req?.title ?? ''}
      confirmLabel={req?.confirmLabel ?? 'OK'}
      onConfirm={() => answer(true)}
      onCancel={() => answer(false)}
    >
      {req?.body && <div className="confirm-body">{req.body}</div>}
      {req?.items && req.items.length > 0 && (
        <ul className="confirm-items" data-testid="confirm-items">
          {req.items.map((name) => (
            <li key={name} className="mono">
              {name}
            </li>
          ))}
        </ul>
      )}
    </ConfirmDialog>
  );
}
