import { useState } from 'react';
import type { ContractError, PortMapping } from '../../../../electron/contract/index.ts';
import { openExternal } from '../../api/open-external.ts';
import { portLinks } from '../../ui/format.ts';

/** A container's ports; published TCP ports are links that open in the user's browser. */
export function PortLinks({ ports, container }: { ports: PortMapping[]; container: string }) {
  const [error, setError] = useState<ContractError | null>(null);
  const links = portLinks(ports);
  if (links.length === 0) return null;
  return (
    <span className="ports">
      {links.map((l) =>
        l.url ? (
          <a
            key={l.label}
            href={l.url}
            target="_blank"
            rel="noopener noreferrer"
            aria-label={`Open ${l.url} (${container} port ${l.privatePort}/${l.type})`}
            onClick={async (e) => {
              e.preventDefault();
              setError(await openExternal(l.url ?? ''));
            }}
          >
            {l.label}
          </a>
        ) : (
          <span key={l.label}>{l.label}</span>
        ),
      )}
      {error && (
        <span role="alert" className="inline-error">
          {error.message}
        </span>
      )}
    </span>
  );
}
