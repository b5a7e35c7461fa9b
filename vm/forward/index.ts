export {
  contextName,
  dockerConfigDir,
  userKubeconfigPath,
  writeDockerContext,
  writeKubeconfig,
} from './contexts.ts';
export { type ForwarderEvent, HostForwarder, type HostForwarderOptions } from './forwarder.ts';
export type { PortEvent } from './port-forwarder.ts';
export type { WantedPort } from './ports.ts';
export type { LinkState } from './ssh-link.ts';
