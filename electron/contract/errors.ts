// The contract's error vocabulary and the result every invoke answers with.

export const errorKinds = [
  'unreachable',
  'not_found',
  'conflict',
  'invalid_argument',
  'forbidden',
  /** The endpoint cannot do this (e.g. a Berth-only API on another Docker engine). */
  'unsupported',
  'internal',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

export interface ContractError {
  kind: ErrorKind;
  /** A stable machine code, e.g. `engine.unreachable`, `container.not_found`, or an HTTP status. */
  code: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };
