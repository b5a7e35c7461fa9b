// An object's "Edit YAML": its YAML (as kube.get shows it, without what the server owns) in the apply
// editor, checked by the server's dry run first so that its validation errors show at their lines, and
// then written as `kubectl edit` writes: the one object replaced, refused if it changed meanwhile.
import { ApplyPanel } from './ApplyPanel.tsx';
import { editableYaml } from './apply-model.ts';

export function EditYaml({ context, yaml, onClose }: { context: string; yaml: string; onClose(): void }) {
  return (
    <div className="edit-yaml" data-testid="edit-yaml">
      <div className="toolbar">
        <strong>Edit YAML</strong>
        <span className="muted">Applied as a replace of this object, after a dry run.</span>
        <span className="spacer" />
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ApplyPanel context={context} initialYaml={editableYaml(yaml)} replace onApplied={onClose} />
    </div>
  );
}
