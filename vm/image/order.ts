/**
 * Orders strings by UTF-16 code units, as Array.prototype.sort does: never by locale, whose rules
 * (ICU's version, the builder's language) would change the order of an image's files between hosts.
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
