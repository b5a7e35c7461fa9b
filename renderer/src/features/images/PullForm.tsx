import { type FormEvent, useState } from 'react';
import { useStore } from '../../store/index.ts';

/** Asks for an image reference and starts the pull; progress shows in the TransferPanel. */
export function PullForm({ onDone }: { onDone: () => void }) {
  const startTransfer = useStore((s) => s.startTransfer);
  const [ref, setRef] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ref.trim()) return;
    startTransfer('pull', ref);
    onDone();
  };

  return (
    <form className="card inline-form" onSubmit={submit} aria-label="Pull an image">
      <label className="inline">
        Image
        <input
          className="mono"
          value={ref}
          onChange={(e) => setRef(e.target.value)}
          placeholder="busybox:latest or registry:5000/name:tag"
          size={44}
          required
          spellCheck={false}
          // biome-ignore lint/a11y/noAutofocus: the form opens on the user's click to type a name
          autoFocus
        />
      </label>
      <button type="submit" className="primary">
        Pull
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
