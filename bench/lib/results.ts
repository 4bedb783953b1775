import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { round } from './stats';

/**
 * One reported figure. `value` is what was measured; `baseline` (when there is one) was measured
 * in the same run, and `ratio` = value / baseline. `target` says what passing means.
 */
export interface Figure {
  bench: string;
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target?: { kind: 'ratio>=' | 'ratio<=' | 'value>=' | 'value<=' | 'value<'; limit: number; text: string };
  pass?: boolean;
  note?: string;
}

export function judge(f: Figure): Figure {
  if (f.baseline !== undefined && f.baseline !== 0) f.ratio = round(f.value / f.baseline, 3);
  f.value = round(f.value, 3);
  if (f.baseline !== undefined) f.baseline = round(f.baseline, 3);
  if (f.target) {
    const { kind, limit } = f.target;
    const subject = kind.startsWith('ratio') ? (f.ratio ?? Number.NaN) : f.value;
    f.pass = kind.endsWith('>=') ? subject >= limit : kind.endsWith('<=') ? subject <= limit : subject < limit;
  }
  return f;
}

/** One summary line per figure. */
export function printFigure(f: Figure): void {
  const parts = [`${f.bench} ${f.name}: ${f.value} ${f.unit}`];
  if (f.baseline !== undefined) parts.push(`baseline ${f.baseline} ${f.unit}`, `ratio ${f.ratio}`);
  if (f.target) parts.push(`target ${f.target.text}`, f.pass ? 'PASS' : 'MISS');
  if (f.note) parts.push(`(${f.note})`);
  process.stdout.write(`${parts.join(' | ')}\n`);
}

/**
 * bench/results/latest.json: the figures of the last run of each bench (running one bench keeps
 * the others' last figures), with the machine and the commit they were measured on.
 */
export function saveResults(root: string, benches: string[], figures: Figure[], meta: Record<string, unknown>, trial = false): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // Quick or partial runs (BENCH_QUICK, BENCH_B1_ONLY) are trials: they never replace reported figures.
  const file = join(dir, trial ? 'trial.json' : 'latest.json');
  let previous: { figures?: Figure[] } = {};
  if (existsSync(file)) {
    try {
      previous = JSON.parse(readFileSync(file, 'utf8')) as { figures?: Figure[] };
    } catch {
      previous = {};
    }
  }
  const kept = (previous.figures ?? []).filter((f) => !benches.includes(f.bench));
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // not a git checkout
  }
  const out = {
    measuredAt: new Date().toISOString(),
    commit,
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: round(totalmem() / 2 ** 30, 1) },
    ...meta,
    figures: [...kept, ...figures].sort((a, b) => a.bench.localeCompare(b.bench)),
  };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  return file;
}
