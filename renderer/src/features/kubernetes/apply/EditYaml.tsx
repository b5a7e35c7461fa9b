// "Edit YAML" on an object's detail view: its YAML (as kube.get shows it) in the apply editor, applied
// with the same dry run first, so that the server's validation errors show at their lines.
import { useState } from 'react';
import { ApplyPanel } from './ApplyPanel.tsx';
import { editableYaml } from './apply-model.ts';

export function EditYaml({ context, yaml, onDone }: { context: string; yaml: string; onDone?(): void }) {
  const [editing, setEditing] = useState(false);
  if (!editing)
    return (
      <button type="button" onClick={() => setEditing(true)}>
        Edit YAML
      </button>
    );
  return (
    <div className="edit-yaml">
      <div className="toolbar">
        <strong>Edit YAML</strong>
        <span className="spacer" />
        <button
          type="button"
          onClick={() => {
            setEditing(false);
            onDone?.();
          }}
        >
          Close
        </button>
      </div>
      <ApplyPanel context={context} initialYaml={editableYaml(yaml)} />
    </div>
  );
}
