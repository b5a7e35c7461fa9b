/**
 * Docker's `label` filters, shared by container and image listing and pruning: `key` needs the label,
 * `key=value` needs that value; `label!` entries must not match.
 */
export function labelsMatch(labels: Record<string, string>, want: string[], notWant: string[] = []): boolean {
  const has = (l: string) => {
    const i = l.indexOf('=');
    return i < 0 ? l in labels : labels[l.slice(0, i)] === l.slice(i + 1);
  };
  return want.every(has) && !notWant.some(has);
}
