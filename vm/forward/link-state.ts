// The SSH link's states, as the forwarder reports them and the agent, the CLI and the app show them. Apart
// from ssh-link.ts so that the app's main process reads them without loading ssh2.

export type LinkState =
  | { state: 'connecting'; attempt: number }
  | { state: 'connected'; since: number }
  | { state: 'reconnecting'; attempt: number; reason: string; retryInMs: number }
  | { state: 'stopped' };

/** The link in words (`berth status`, the app): reconnecting says why and when it tries again. */
export function linkText(l: LinkState): string {
  switch (l.state) {
    case 'connecting':
      return l.attempt > 1 ? `connecting (attempt ${l.attempt})` : 'connecting';
    case 'connected':
      return 'connected';
    case 'reconnecting':
      return `reconnecting (attempt ${l.attempt}, next in ${Math.ceil(l.retryInMs / 1000)} s): ${l.reason}`;
    case 'stopped':
      return 'stopped';
  }
}
