import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; occurredAt: string; apiVersion: string; data: Record<string, unknown> };
}

/** What the receiver answers next: a status code, or 'hang' (never answers). */
export type Answer = number | 'hang';

/** A webhook receiver in the test process: records every POST, answers from a script (default 200). */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private script: Answer[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Received['json'];
        try {
          json = JSON.parse(body) as Received['json'];
        } catch {
          json = { id: '', type: '', occurredAt: '', apiVersion: '', data: {} };
        }
        this.received.push({ path: req.url ?? '', headers: req.headers, body, json });
        const answer = this.script.shift() ?? 200;
        if (answer === 'hang') {
          this.hanging.push(res);
          return;
        }
        res.statusCode = answer;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  answer(...answers: Answer[]): void {
    this.script.push(...answers);
  }

  of(type: string, path?: string): Received[] {
    return this.received.filter((r) => r.json.type === type && (path === undefined || r.path === path));
  }

  /** Polls (real time) until `predicate` holds: the worker POSTs over real HTTP. */
  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error('timed out waiting for the receiver');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
