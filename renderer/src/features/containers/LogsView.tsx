// The log viewer's entry: `<LogsView id=… />` for a container, `<LogsView sources=… />` for several
// merged (a compose project's services). A container of a compose project also offers its whole
// project's logs, merged as `docker compose logs` shows them, and back.
import { useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ContainerSummary } from '../../../../electron/contract/index.ts';
import { useStore } from '../../store/index.ts';
import { LogsPane, type LogsViewProps } from './LogsPane.tsx';

export type { LogsViewProps } from './LogsPane.tsx';

/**
 * A container's label in its project's merged log. Compose names containers <project>-<service>-<n>
 * (v1: with underscores); the project is said once, not on every line.
 */
export const sourceLabel = (c: ContainerSummary, project: string) =>
  c.name.startsWith(`${project}-`) || c.name.startsWith(`${project}_`)
    ? c.name.slice(project.length + 1)
    : c.name;

export function LogsView(props: LogsViewProps) {
  const id = 'id' in props ? props.id : undefined;
  const [wholeProject, setWholeProject] = useState(false);
  const self = useStore((s) => (id ? s.containers.find((c) => c.id === id || c.name === id) : undefined));
  const project = self?.composeProject;
  const siblings = useStore(
    useShallow((s) => (project ? s.containers.filter((c) => c.composeProject === project) : [])),
  );
  // Containers seen while the project's logs are shown stay in them when they go (their lines too).
  const seen = useRef<ContainerSummary[]>([]);
  if (!wholeProject) seen.current = [];
  else seen.current = [...siblings, ...seen.current.filter((c) => !siblings.some((x) => x.id === c.id))];

  if (!id || !self || !project) return <LogsPane {...props} />;
  if (wholeProject && seen.current.length > 1) {
    const sources = [...seen.current]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({ id: c.id, label: sourceLabel(c, project) }));
    return (
      <LogsPane
        sources={sources}
        name={project}
        aside={
          <button type="button" className="link" onClick={() => setWholeProject(false)}>
            Only {self.name}
          </button>
        }
      />
    );
  }
  return (
    <LogsPane
      id={id}
      aside={
        siblings.length > 1 && (
          <button type="button" className="link" onClick={() => setWholeProject(true)}>
            Show all of {project} ({siblings.length} containers)
          </button>
        )
      }
    />
  );
}
