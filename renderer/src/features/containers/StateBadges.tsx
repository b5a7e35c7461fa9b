import type { ContainerHealth, ContainerSummary } from '../../../../electron/contract/index.ts';
import type { Transition } from '../../store/container-states.ts';

/**
 * The state, or the action under way ("stopping…"); an exited or restarting container with its exit
 * code, a failed exit in its own colour.
 */
export function StateBadge({ c, transition }: { c: ContainerSummary; transition?: Transition }) {
  if (transition) {
    return (
      <span className="badge state-transition" data-testid="state-badge">
        {transition}…
      </span>
    );
  }
  const withCode = (c.state === 'exited' || c.state === 'restarting') && c.exitCode !== undefined;
  const failed = withCode && c.exitCode !== 0;
  return (
    <span className={`badge state-${c.state}${failed ? ' state-failed' : ''}`} data-testid="state-badge">
      {withCode ? `${c.state} (${c.exitCode})` : c.state}
    </span>
  );
}

const healthWords: Record<ContainerHealth, string> = {
  healthy: 'healthy',
  unhealthy: 'unhealthy',
  starting: 'starting',
};

export function HealthBadge({ health }: { health?: ContainerHealth }) {
  if (!health) return null;
  return (
    <span className={`badge health-${health}`} data-testid="health-badge" title={`Healthcheck: ${health}`}>
      {healthWords[health]}
    </span>
  );
}
