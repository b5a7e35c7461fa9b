// The bundle's entry (dist/berth.mjs): the `berth` command's module, which vm/cli/berth.mjs imports and
// runs, and the command itself when the bundle is run directly, as a packaged app runs its agent
// (resources/berthd/berth.mjs, with no vm/cli/berth.mjs beside it).
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { main } from './main.ts';

export * from './main.ts';

const script = process.argv[1];
const runDirectly = (() => {
  try {
    return !!script && pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
})();
if (runDirectly) process.exit(await main(process.argv.slice(2)));
