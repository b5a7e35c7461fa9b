import { invalid } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';

const volumeNameRe = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The label Docker (API ≥ 1.42) puts on anonymous volumes: `volume prune` removes only those by default. */
export const anonymousLabel = 'com.docker.volume.anonymous';

/** Docker's local-driver rule for volume names; the message is dockerd's, without its `create x: ` prefix. */
export function volumeNameError(name: string): string | undefined {
  if (name.length === 1)
    return 'volume name is too short, names should be at least two alphanumeric characters';
  if (!volumeNameRe.test(name)) {
    return `${goQuote(name)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
  }
  return undefined;
}

export function validateVolumeName(name: string): void {
  const err = volumeNameError(name);
  if (err) throw invalid(`create ${name}: ${err}`);
}

/** A name for an anonymous volume: 64 hex digits, like a container ID. */
export function anonymousVolumeName(): string {
  return newId();
}

/** Go's %q for the strings a volume name can hold (JSON escaping is the same for printable text). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
