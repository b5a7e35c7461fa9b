// dns-packet exports its name codec (`exports.name`), which @types/dns-packet leaves out; the embedded
// DNS server reads question names with it in `mail` mode, where a dot inside a label stays escaped.
import 'dns-packet';

declare module 'dns-packet' {
  export const name: {
    decode(buf: Buffer, offset?: number, opts?: { mail?: boolean }): string;
  };
}
