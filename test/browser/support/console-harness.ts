import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { ManualClock } from '../../../src/common/clock';
import { DispatcherService } from '../../../src/follow-ups/dispatch/dispatcher.service';
import { inboundSms, postTwilio, PUBLIC_URL } from '../../messaging/messaging-support';
import { FakeTwilioServer } from '../../support/fake-twilio.server';
import { SmtpTestServer } from '../../support/smtp-test.server';
import { bootTestApp, signup, SignedUp, STRONG_PASSWORD, TestApp, uniqueEmail } from '../../support/test-app';

/** Tuesday 1 December 2026, 10:00 in New York: inside every sending window. */
export const START = '2026-12-01T15:00:00.000Z';
export const ZONE = 'America/New_York';
export const TWILIO_ACCOUNT = 'AC' + 'c3'.repeat(16);
export const TWILIO_TOKEN = 'console-auth-token-0123456789';
export const FIRM_NUMBER = '+14155550100';
export const SCREENSHOTS = join(__dirname, '..', '..', '..', 'docs', 'screenshots');

// The flags the machine's Chromium needs as root in a container (see README, "Browser tests").
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { chromiumPath } = require('../chromium.cjs') as { chromiumPath: () => string | null };

/**
 * The real app (same createApp as `npm start`, the built console at /) listening on a local
 * port, with a manual clock, the SMTP and Twilio test servers, and Chromium. The scheduler is
 * off: a test sends what is due with `dispatch()`.
 */
export class ConsoleHarness {
  readonly clock = new ManualClock(START);
  readonly smtp = new SmtpTestServer();
  readonly twilio = new FakeTwilioServer();
  t!: TestApp;
  baseUrl = '';
  browser!: Browser;
  /** Problems the pages reported: CSP violations, uncaught errors. */
  readonly pageProblems: string[] = [];

  async start(): Promise<void> {
    const smtpUrl = (await this.smtp.start()).url;
    const twilioUrl = (await this.twilio.start()).url;
    this.twilio.addAccount(TWILIO_ACCOUNT, TWILIO_TOKEN);
    this.t = await bootTestApp({ clock: this.clock, env: { SCHEDULER: 'off', SMTP_URL: smtpUrl, TWILIO_API_URL: twilioUrl, PUBLIC_URL } });
    await this.t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = this.t.app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the app is not listening on a port');
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    const executablePath = chromiumPath();
    if (!executablePath) throw new Error('No Chromium found: apt-get install -y chromium (or set CHROMIUM_PATH)');
    this.browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.t?.close();
    await this.smtp.stop();
    await this.twilio.stop();
  }

  /** A fresh browser (no cookies), in New York, at the app's time. */
  async newPage(options: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({
      baseURL: this.baseUrl,
      viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
      timezoneId: ZONE,
      locale: 'en-US',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    await page.clock.setFixedTime(this.clock.now());
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) this.pageProblems.push(m.text());
    });
    page.on('pageerror', (e) => this.pageProblems.push(`page error: ${e.message}`));
    return { context, page };
  }

  /** Moves the app's time (and the pages' Date). */
  async advance(ms: number, ...pages: Page[]): Promise<void> {
    this.clock.advance(ms);
    for (const p of pages) await p.clock.setFixedTime(this.clock.now());
  }

  /** Sends whatever is due now. */
  async dispatch(): Promise<void> {
    await this.t.app.get(DispatcherService).drain();
  }

  /** A firm with SMS through the Twilio test server, signed up over the API. */
  async firm(name = 'Acme Staffing', admin = 'Pat Recruiter', email?: string): Promise<SignedUp> {
    const who = await signup(this.t, { firmName: name, name: admin, timeZone: ZONE, ...(email ? { email } : {}) });
    await this.api(who).put('/v1/settings/senders').send({ twilioAccountSid: TWILIO_ACCOUNT, twilioAuthToken: TWILIO_TOKEN, twilioFrom: FIRM_NUMBER, emailFromAddress: 'pat@acme-staffing.example' }).expect(200);
    return who;
  }

  api(who: SignedUp) {
    const auth = { Authorization: `Bearer ${who.token}` };
    return {
      post: (path: string) => request(this.t.http).post(path).set(auth),
      put: (path: string) => request(this.t.http).put(path).set(auth),
      get: (path: string) => request(this.t.http).get(path).set(auth),
    };
  }

  /** An SMS from `from` to the firm, signed as Twilio signs it. */
  async textFrom(who: SignedUp, from: string, body: string): Promise<void> {
    await postTwilio(this.t, `/v1/webhooks/twilio/${who.webhookKey}/inbound`, inboundSms({ From: from, To: FIRM_NUMBER, Body: body, AccountSid: TWILIO_ACCOUNT }), TWILIO_TOKEN).expect(200);
  }

  /** Signs in through the page. */
  async signIn(page: Page, email: string, password = STRONG_PASSWORD): Promise<void> {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
  }

  async screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** axe-core's serious and critical violations on the page as it is now. */
  async axe(page: Page): Promise<{ id: string; impact: string | null; help: string; targets: string[] }[]> {
    // Evaluated through the DevTools protocol, which the page's CSP does not govern: the app's
    // own policy stays strict during the check.
    await page.evaluate(AXE_SOURCE);
    const results = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
      r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`)) as {
      id: string;
      impact: string | null;
      help: string;
      targets: string[];
    }[];
    return results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export { STRONG_PASSWORD, uniqueEmail };

/** Waits until the locator is visible (10 s at most), like Playwright Test's toBeVisible. */
export async function seen(locator: { waitFor: (o: { state: 'visible'; timeout: number }) => Promise<void> }): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 10_000 });
}

/** Retries an assertion until it holds (10 s at most): what the page shows after it polls. */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
