import { invalid } from '../core/errors.ts';
import { type Instruction, parseError, parseInstruction } from './parser.ts';

export interface Stage {
  from: Instruction;
  body: Instruction[];
}

export interface BuildPlan {
  /** ARGs before the first FROM: usable in FROM lines, and by `ARG NAME` inside a stage. */
  metaArgs: Instruction[];
  stages: Stage[];
}

/** The `AS name` of a FROM line, as written. */
export function stageName(from: Instruction): string | undefined {
  const words = from.args.trim().split(/\s+/);
  return words.length === 3 && words[1].toUpperCase() === 'AS' ? words[2] : undefined;
}

/**
 * Splits a Dockerfile into stages, stops at the `--target` stage, and adds the `--label`s as LABEL
 * steps at the end of the stage that becomes the image (as the classic builder does).
 */
export function planStages(
  instructions: Instruction[],
  target: string | undefined,
  labels: Record<string, string>,
): BuildPlan {
  const metaArgs: Instruction[] = [];
  let stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.cmd === 'FROM') stages.push({ from: ins, body: [] });
    else if (stages.length) stages[stages.length - 1].body.push(ins);
    else if (ins.cmd === 'ARG') metaArgs.push(ins);
    else throw parseError(ins.line, 'no build stage in current context');
  }
  if (stages.length === 0) throw invalid('No image was generated. Is your Dockerfile empty?');
  if (target) {
    const want = target.toLowerCase();
    const idx = stages.findIndex((s) => stageName(s.from)?.toLowerCase() === want);
    if (idx < 0) throw invalid(`failed to reach build target ${target} in Dockerfile`);
    stages = stages.slice(0, idx + 1);
  }
  // Like dockerd: one LABEL step per --label, sorted by key, shown as `LABEL key=value` (not expanded).
  const last = stages[stages.length - 1];
  const line = (last.body.at(-1) ?? last.from).line;
  const quote = (x: string) => `"${x.replace(/[\\"$]/g, '\\$&')}"`;
  for (const key of Object.keys(labels).sort()) {
    const ins = parseInstruction(`LABEL ${quote(key)}=${quote(labels[key])}`, line);
    last.body.push({ ...ins, original: `LABEL ${key}=${labels[key]}` });
  }
  return { metaArgs, stages };
}
