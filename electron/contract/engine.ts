// The engine as the app sees it.

export interface EngineInfo {
  reachable: true;
  endpoint: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernelVersion: string;
  containers: number;
  containersRunning: number;
  containersPaused: number;
  containersStopped: number;
  images: number;
}

export interface EngineInvoke {
  'engine.info': { req: undefined; res: EngineInfo };
}

export const engineChannels: Record<keyof EngineInvoke, true> = { 'engine.info': true };
