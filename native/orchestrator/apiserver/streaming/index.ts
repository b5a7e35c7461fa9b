// Serves pods/exec, pods/attach and pods/portforward through the backends given (the kubelet's):
// connection upgrades only, as kube-apiserver serves them. A plain request to them is a 400.
import type { Registry, SubresourceHandler } from '../registry.ts';
import { ApiError } from '../status.ts';
import type { PortForwardBackend, RemoteCommandBackend } from './backends.ts';
import { upgradePortForward } from './portforward.ts';
import { upgradeRemoteCommand } from './remote-command.ts';

export type { PortForwardBackend, RemoteCommandBackend, StreamOptions, TerminalSize } from './backends.ts';
export { containerNotFound } from './backends.ts';

export interface StreamingBackends {
  remoteCommand?: RemoteCommandBackend;
  portForward?: PortForwardBackend;
}

const upgradeRequired = async () => {
  throw new ApiError(400, 'BadRequest', 'Upgrade request required');
};

const handler = (kind: string, upgrade: NonNullable<SubresourceHandler['upgrade']>): SubresourceHandler => ({
  kind: { group: '', version: 'v1', kind },
  verbs: ['create', 'get'],
  serve: upgradeRequired,
  upgrade,
});

export function registerStreaming(registry: Registry, backends: StreamingBackends): void {
  const rc = backends.remoteCommand;
  if (rc) {
    registry.serveSubresource(
      '',
      'pods',
      'exec',
      handler('PodExecOptions', (ctx, scope, req, socket, head) =>
        upgradeRemoteCommand('exec', rc, ctx, scope, req, socket, head),
      ),
    );
    registry.serveSubresource(
      '',
      'pods',
      'attach',
      handler('PodAttachOptions', (ctx, scope, req, socket, head) =>
        upgradeRemoteCommand('attach', rc, ctx, scope, req, socket, head),
      ),
    );
  }
  const pf = backends.portForward;
  if (pf)
    registry.serveSubresource(
      '',
      'pods',
      'portforward',
      handler('PodPortForwardOptions', (ctx, scope, req, socket, head) =>
        upgradePortForward(pf, ctx, scope, req, socket, head),
      ),
    );
}
