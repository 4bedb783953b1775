import type { BenchServer } from './database';
import type { Figure } from './results';

export interface BenchContext {
  root: string;
  server: BenchServer;
  /** Shorter runs (BENCH_QUICK=1): for trying the scripts, not for reporting. */
  quick: boolean;
  log(line: string): void;
}

export interface Bench {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}
