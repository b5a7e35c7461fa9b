import { useStore } from '../store/index.ts';

/** How each action ended, in the corner; Undo where the action can be taken back. */
export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismissToast);
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          data-testid="toast"
        >
          <div className="toast-text">
            <div>{t.message}</div>
            {t.detail && <div className="toast-detail">{t.detail}</div>}
          </div>
          {t.undo && (
            <button
              type="button"
              className="small"
              onClick={() => {
                dismiss(t.id);
                void t.undo?.();
              }}
            >
              Undo
            </button>
          )}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
