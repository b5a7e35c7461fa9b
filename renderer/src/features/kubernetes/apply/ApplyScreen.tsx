// The Apply YAML screen: paste or open a file, validate on the server, apply.
import { ApplyPanel } from './ApplyPanel.tsx';

export function ApplyScreen({ context, namespace }: { context: string; namespace?: string }) {
  return (
    <section className="apply-screen">
      <div className="toolbar">
        <h1>Apply YAML</h1>
      </div>
      <p className="hint">
        One or more documents (separated by <code>---</code>), applied as{' '}
        <code>kubectl apply --server-side</code> does. The server checks every document first (a dry run);
        nothing is applied unless all pass.
      </p>
      <ApplyPanel key={context} context={context} {...(namespace ? { namespace } : {})} />
    </section>
  );
}
