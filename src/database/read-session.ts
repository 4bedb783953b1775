import type { TenantTx } from './tenant-db.service';
import type { TenantId } from './tenant-id';

type Begin = <T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>) => Promise<T>;
type Join = <T>(tx: TenantTx, work: () => Promise<T>) => Promise<T>;

/**
 * One transaction for all the reads of one GraphQL query operation (a page of candidates with
 * their leads, interviews and interviewers: every batch of the request's loaders), instead of one
 * BEGIN/set_config/COMMIT per read. Opened by the first read, for that tenant; closed (COMMIT)
 * when the response is ready (graphql/read-session.plugin.ts). The reads run one after the other
 * on its one connection. A read that fails ends the sharing: later reads of the request take
 * transactions of their own, and the shared one is rolled back.
 */
export class ReadSession {
  private tenantId: TenantId | undefined;
  private opened: Promise<TenantTx> | undefined;
  private done: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private broken = false;
  private closed = false;

  /** Whether a read for `tenantId` may join (one tenant per request; not after a failure or the end). */
  accepts(tenantId: TenantId): boolean {
    return !this.broken && !this.closed && (this.tenantId === undefined || this.tenantId === tenantId);
  }

  run<T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>, begin: Begin, join: Join): Promise<T> {
    this.tenantId = tenantId;
    this.opened ??= this.open(tenantId, begin);
    const opened = this.opened;
    const result = this.chain.then(async () => {
      const tx = await opened;
      return join(tx, () => work(tx));
    });
    this.chain = result.then(
      () => undefined,
      () => {
        this.broken = true;
      },
    );
    return result;
  }

  /** Ends the shared transaction: COMMIT, or ROLLBACK after a failed read. Never throws. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.done) return;
    await this.chain;
    this.release?.();
    await this.done.catch(() => undefined);
  }

  private open(tenantId: TenantId, begin: Begin): Promise<TenantTx> {
    let ready!: (tx: TenantTx) => void;
    const opened = new Promise<TenantTx>((resolve) => (ready = resolve));
    const gate = new Promise<void>((resolve) => (this.release = resolve));
    this.done = begin(tenantId, async (tx) => {
      ready(tx);
      await gate;
      if (this.broken) throw new Error('a read of this request failed: its transaction is rolled back');
    });
    // A transaction that could not even begin (the database is down) fails the reads waiting for it.
    return Promise.race([opened, this.done.then(() => Promise.reject(new Error('the read transaction ended before it was used')))]);
  }
}
