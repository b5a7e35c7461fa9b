// The states a Kubernetes screen can be in before it has rows to show: no context, loading, a cluster
// that cannot be reached (or a list it refuses), said with the context's name and the server's words.
import type { KubeProblem } from '../../../../../electron/contract/index.ts';
import type { KubeListState } from '../../../store/index.ts';
import { useStore } from '../../../store/index.ts';
import { problemTitle } from '../model.ts';

export function ProblemBanner({
  problem,
  context,
  what,
  reconnecting,
}: {
  problem: KubeProblem;
  context: string;
  what: string;
  reconnecting?: boolean;
}) {
  return (
    <div
      className={reconnecting ? 'notice kube-problem' : 'error-banner kube-problem'}
      role={reconnecting ? 'status' : 'alert'}
      data-testid="kube-problem"
      data-kind={problem.kind}
    >
      <strong>
        {reconnecting
          ? `Reconnecting to context ${context}: these are the ${what} as last seen`
          : problemTitle(problem, context, what)}
      </strong>
      <div className="mono small-text">{problem.message}</div>
      {!reconnecting && problem.kind === 'certificate' && (
        <p className="hint">
          The kubeconfig's certificate-authority-data must be the CA that signed the server.
        </p>
      )}
      {!reconnecting && problem.kind === 'unreachable' && (
        <p className="hint">Is the cluster running, and its server address in the kubeconfig right?</p>
      )}
    </div>
  );
}

/** Shown when there is no context to list anything in. */
export function NoContext() {
  const error = useStore((s) => s.kubeContextsError);
  const contexts = useStore((s) => s.kubeContexts);
  if (error)
    return (
      <div className="error-banner" role="alert" data-testid="kube-problem">
        <strong>Cannot read the kubeconfig:</strong> {error.message}
      </div>
    );
  if (!contexts) return <p className="empty">Reading the kubeconfig…</p>;
  return (
    <p className="empty" data-testid="kube-no-context">
      {contexts.error
        ? `Cannot read the kubeconfig: ${contexts.error}`
        : `No Kubernetes context in ${contexts.files.join(', ') || '~/.kube/config'}. Turn on Berth's cluster in Settings, or add a context to the kubeconfig.`}
    </p>
  );
}

/** Loading, or the list's problem in place of the list; null when the list has rows (or may show none). */
export function ListStatus({
  list,
  context,
  what,
}: {
  list: KubeListState | undefined;
  context: string;
  what: string;
}) {
  if (list?.problem && (list.state === 'error' || list.state === 'reconnecting'))
    return (
      <ProblemBanner
        problem={list.problem}
        context={context}
        what={what}
        reconnecting={list.state === 'reconnecting' && list.loaded}
      />
    );
  if (!list?.loaded)
    return (
      <p className="empty" aria-busy="true">
        Loading {what}…
      </p>
    );
  return null;
}
