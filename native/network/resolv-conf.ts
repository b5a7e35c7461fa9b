import { readFileSync } from 'node:fs';
import { tryOr } from '../core/fsutil.ts';

/** The parts of a resolv.conf that containers get: name servers, search domains, options. */
export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const line of text.split('\n')) {
    const [key, ...values] = line.trim().split(/\s+/);
    if (key === 'nameserver' && values[0]) out.nameservers.push(values[0]);
    else if (key === 'search') out.search.push(...values);
    else if (key === 'options') out.options.push(...values);
  }
  return out;
}

/** The host's /etc/resolv.conf, parsed (empty when there is none). */
export async function hostResolvConf(): Promise<ResolvConf> {
  return parseResolvConf(tryOr(() => readFileSync('/etc/resolv.conf', 'utf8'), ''));
}
