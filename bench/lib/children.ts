import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A bench child process (dist/bench/servers/*.js) spoken to over IPC: it sends {type:'ready',…}
 * once booted, then answers each request with a message of the same id.
 */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<Record<string, unknown>>;
  private exited = false;

  constructor(readonly proc: ChildProcess, readonly label: string) {
    this.ready = new Promise((resolve, reject) => {
      proc.on('message', (raw) => {
        const msg = raw as Record<string, unknown>;
        if (msg.type === 'ready') resolve(msg);
        const id = msg.id as number | undefined;
        if (id !== undefined && this.pending.has(id)) {
          const p = this.pending.get(id);
          this.pending.delete(id);
          if (typeof msg.error === 'string') p?.reject(new Error(`${label}: ${msg.error}`));
          else p?.resolve(msg);
        }
      });
      proc.on('exit', (code, signal) => {
        this.exited = true;
        const err = new Error(`${label} exited (${code ?? signal})`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
    });
  }

  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.send({ ...body, id });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
}

export function startChild(root: string, script: string, env: Record<string, string>, label = script): Child {
  const proc = fork(join(root, 'dist', 'bench', 'servers', `${script}.js`), [], {
    env,
    // BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the children.
    execArgv: process.env.BENCH_CHILD_NODE_ARGS ? process.env.BENCH_CHILD_NODE_ARGS.split(' ') : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Child(proc, label);
}

/** Resident set size of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}
