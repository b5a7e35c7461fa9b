import type { ContainerSummary } from '../../../../electron/contract/index.ts';
import { actionsFor, type ContainerAction, canDo } from '../../store/container-states.ts';
import { useStore } from '../../store/index.ts';
import { IconButton } from '../../ui/IconButton.tsx';
import type { IconName } from '../../ui/icons.tsx';

const icons: Record<ContainerAction, IconName> = {
  start: 'start',
  stop: 'stop',
  restart: 'restart',
  pause: 'pause',
  unpause: 'start',
  remove: 'remove',
};

const word = (a: ContainerAction) => a[0].toUpperCase() + a.slice(1);

/** What Docker allows in the container's state, as icons ("Stop web"…); all off while one runs. */
export function ContainerActions({
  c,
  disabled,
  onRemoved,
}: {
  c: ContainerSummary;
  disabled?: boolean;
  /** After a confirmed removal (the detail view leaves the page). */
  onRemoved?: () => void;
}) {
  const transition = useStore((s) => s.transitions[c.id]);
  const containerAction = useStore((s) => s.containerAction);
  const removeContainers = useStore((s) => s.removeContainers);
  const act = async (a: ContainerAction) => {
    if (a !== 'remove') return containerAction(a, c.id);
    if (await removeContainers([c.id])) onRemoved?.();
  };
  return (
    <div className="actions icon-actions">
      {actionsFor(c.state).map((a) => (
        <IconButton
          key={a}
          icon={icons[a]}
          label={`${word(a)} ${c.name}`}
          tip={word(a)}
          danger={a === 'remove'}
          disabled={disabled || !!transition}
          onClick={() => void act(a)}
        />
      ))}
    </div>
  );
}

const projectActions: { action: ContainerAction; tip: string }[] = [
  { action: 'start', tip: 'Start project' },
  { action: 'stop', tip: 'Stop project' },
  { action: 'restart', tip: 'Restart project' },
  { action: 'remove', tip: 'Delete project' },
];

/** Start, stop, restart and delete of a whole compose project ("Stop project shop"). */
export function ProjectActions({
  project,
  containers,
  disabled,
  onRemoved,
}: {
  project: string;
  containers: ContainerSummary[];
  disabled?: boolean;
  onRemoved?: () => void;
}) {
  const transitions = useStore((s) => s.transitions);
  const bulkAction = useStore((s) => s.bulkAction);
  const removeContainers = useStore((s) => s.removeContainers);
  const ids = containers.map((c) => c.id);
  const busy = ids.some((id) => transitions[id]);
  const act = async (a: ContainerAction) => {
    if (a !== 'remove') return bulkAction(a, ids, project);
    if (await removeContainers(ids, project)) onRemoved?.();
  };
  return (
    <div className="actions icon-actions">
      {projectActions.map(({ action, tip }) => (
        <IconButton
          key={action}
          icon={icons[action]}
          label={`${tip} ${project}`}
          tip={tip}
          danger={action === 'remove'}
          disabled={disabled || busy || !containers.some((c) => canDo(action, c.state))}
          onClick={() => void act(action)}
        />
      ))}
    </div>
  );
}
