// How a domain lists its channels for the transports' run-time checks: an object with exactly the keys
// of the domain's map. The map is the one place a channel is declared; a channel missing from the list
// (or one the map does not have) is a type error where the list is written, so the preload and the
// web-mode server can never refuse a channel the types let the UI call.

/** `true` for every channel of the map `M`, and nothing else. */
export type ChannelList<M> = { readonly [C in keyof M]-?: true };
