// `node --import tsx test/demo/run.ts`: a berthd on a temporary root with the demo state, and the app
// in web mode against it; prints the app's URL and keeps running until Ctrl+C, then removes it all.
import { loadBusybox, startDaemon, stopDaemon } from '../conformance/harness.ts';
import { freePort } from '../conformance/net.ts';
import { startWebMode } from '../e2e/web-mode.ts';
import { seedDemoState } from './seed.ts';

const daemon = await startDaemon('berthd');
let web: Awaited<ReturnType<typeof startWebMode>> | undefined;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await web?.stop();
  daemon.docker(['rm', '-f', ...daemon.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean)]);
  await stopDaemon(daemon);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await loadBusybox(daemon);
seedDemoState(daemon, await freePort());
web = await startWebMode(daemon.host);
console.log(`DOCKER_HOST=${daemon.host}`);
console.log(`Berth UI: ${web.url}`);
