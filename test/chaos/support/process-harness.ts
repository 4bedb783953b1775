import { spawn } from 'node:child_process';
import { zoneWhereItIs } from '../../support/zones';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The repository root (test/chaos/support → ../../..). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/**
 * Runs the child's script behind a watchdog: when the pipe to the parent closes (the Jest worker
 * died, even by SIGKILL), the child kills itself at once, so a crashed test run leaves no
 * dispatcher or API process behind on a shared CI machine. Otherwise the script runs unchanged
 * (`node -e` puts the script's path first in process.argv after the executable).
 */
const WATCHDOG = [
  "process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL'));",
  "process.stdin.on('error', () => process.kill(process.pid, 'SIGKILL'));",
  'process.stdin.resume();',
  "require(require('node:path').resolve(process.argv[1]));",
].join('');

const MAX_LINES = 400;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A Node.js child process started by a chaos spec: its output is kept (the last lines, for
 * failure messages), it can be waited on, killed with any signal, and it is registered so that
 * `stopAllChildren()` in afterAll ends it whatever happened in the test.
 */
export class NodeChild {
  readonly exited: Promise<ChildExit>;
  private readonly lines: string[] = [];
  private exit: ChildExit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(line);
        if (this.lines.length > MAX_LINES) this.lines.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        LIVE.delete(this);
        resolve(this.exit);
      });
    });
  }

  /**
   * Starts `node [...nodeArgs] <script> ...args` (the script's path relative to the repository
   * root) with exactly `env` (plus PATH).
   */
  static start(name: string, script: string, env: Record<string, string>, options: { args?: string[]; nodeArgs?: string[] } = {}): NodeChild {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-e', WATCHDOG, join(REPO_ROOT, script), ...(options.args ?? [])], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const started = new NodeChild(name, child);
    LIVE.add(started);
    return started;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid (spawn failed)`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last lines the process wrote (stdout and stderr). */
  output(): string {
    return this.lines.join('\n');
  }

  /** Sends `signal` and resolves when the process has exited. */
  async kill(signal: NodeJS.Signals): Promise<ChildExit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    return this.exited;
  }

  /** SIGTERM (a graceful stop), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ChildExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Fails fast with the child's output when it has exited. */
  assertRunning(): void {
    if (this.exit) {
      throw new Error(`${this.name} exited (code ${this.exit.code}, signal ${this.exit.signal}):\n${this.output()}`);
    }
  }
}

const LIVE = new Set<NodeChild>();

/** Ends every child a spec started and that still runs (afterAll; also after a failure). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...LIVE].map((c) => c.stop(5_000)));
}

/** A TCP port that was free a moment ago on 127.0.0.1. */

/** A free local port (the app's own helper). */
export { freePort } from '../../../src/database/embedded-postgres';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined; throws after `timeoutMs` with
 * `what` and the last value seen by `describe`. Also checks `children` are still alive at every
 * poll, so a crashed process fails the test with its output instead of a bare timeout.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; children?: readonly NodeChild[]; describe?: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    for (const child of options.children ?? []) child.assertRunning();
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const state = options.describe ? ` (${await options.describe()})` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${state}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** A zone where it is now early afternoon: the sending windows are open for the whole run. */
export function zoneWhereItIsAfternoon(now = new Date()): string {
  return zoneWhereItIs(13, now);
}
