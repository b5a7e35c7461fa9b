// `berthd --kubeconfig-merge[=path]` without `--kubernetes`: merges the berth entries of the admin
// kubeconfig berthd wrote into the user's kubeconfig, and says what it did.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { entriesOf, mergeIntoFile, userKubeconfigPath } from './kubeconfig.ts';

export async function mergeFromAdmin(
  dataRoot: string,
  target: string | true,
  useContext: boolean,
): Promise<string> {
  const admin = path.join(dataRoot, 'kubernetes', 'admin.kubeconfig');
  const text = await fs.readFile(admin, 'utf8').catch(() => {
    throw new Error(`no admin kubeconfig at ${admin}: start berthd with --kubernetes first`);
  });
  const file = target === true ? userKubeconfigPath() : target;
  await mergeIntoFile(file, entriesOf(text), { useContext });
  return `Merged cluster, user and context "berth" into ${file}${useContext ? ' (current context: berth)' : ''}\n`;
}
