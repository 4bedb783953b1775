import { useIsolatedDatabase } from '../support/test-app';
import { ConsoleHarness, eventually, seen, STRONG_PASSWORD, uniqueEmail } from './support/console-harness';

/**
 * The recruiter's console in Chromium, against the real app, database, SMTP and Twilio servers.
 * Each test makes its own firm. Screenshots of the main pages go to docs/screenshots/.
 */
// The dispatcher runs here: a database of its own.
useIsolatedDatabase();

describe('the recruiter console', () => {
  const h = new ConsoleHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  afterEach(() => {
    // No page may break its own Content-Security-Policy or throw.
    expect(h.pageProblems).toEqual([]);
  });

  it('sign up → an empty Today that says what to do next; the session survives a reload; no token in storage', async () => {
    const { context, page } = await h.newPage();
    await page.goto('/');
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('link', { name: "Create your firm's account" }).click();
    await page.getByLabel('Firm name').fill('Northwind Talent');
    await page.getByLabel('Your name').fill('Robin Recruiter');
    const email = uniqueEmail('robin');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Firm time zone').fill('America/New_York');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The API's error is shown next to the field it names.
    await seen(page.locator('.field-invalid .field-error'));
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-invalid .field-error').textContent()).toMatch(/12/);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();

    await seen(page.getByRole('heading', { name: 'Today', level: 1 }));
    await seen(page.getByText('Nothing to do today yet.'));
    await seen(page.getByText(/times shown in your time zone, America\/New_York/));
    await seen(page.getByRole('link', { name: 'Add a candidate' }));
    await h.screenshot(page, 'today-empty');

    // The access token lives in memory; the refresh token in an httpOnly cookie no script can read.
    expect(await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).toBe('{}{}');
    expect(await page.evaluate('document.cookie')).toBe('');
    const cookies = await context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'tp_refresh', httpOnly: true, sameSite: 'Strict', path: '/v1/auth/refresh' })]);
    await page.reload();
    await seen(page.getByRole('heading', { name: 'Today', level: 1 }));
    await context.close();
  });

  it('add a candidate and a lead, move it to applied, and see the planned follow-up with the employer contact by name', async () => {
    const firm = await h.firm();
    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    await page.getByRole('link', { name: 'Add a candidate' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Jane Doe');
    await page.getByLabel('Email', { exact: true }).fill('jane.doe@mail.example');
    await page.getByLabel('Mobile phone').fill('+14155550123');
    await page.getByRole('button', { name: 'Add candidate' }).click();

    await seen(page.getByRole('heading', { name: 'Jane Doe', level: 1 }));
    await seen(page.getByText('No leads yet.'));
    await page.getByRole('button', { name: 'Add a lead' }).click();
    await page.getByLabel('Company').fill('Globex');
    await page.getByLabel('Position').fill('Product Designer');
    await page.getByLabel('Contact name').fill('Hank Hiring');
    await page.getByLabel('Contact email').fill('hank@globex.example');
    await page.getByRole('button', { name: 'Add lead' }).click();

    await seen(page.getByRole('heading', { name: 'Product Designer at Globex' }));
    expect(await page.getByText('Employer contact: Hank Hiring').count()).toBe(1);
    await page.getByLabel('Move Globex lead to').selectOption('applied');
    await page.getByRole('button', { name: 'Move', exact: true }).click();

    // The plan appears on the page: to whom by name, the channel, when in their time and ours.
    const card = page.getByRole('article', { name: 'Resume follow-up to Hank Hiring' });
    await seen(card);
    const text = await card.innerText();
    expect(text).toContain('Planned');
    expect(text).toContain('Product Designer at Globex');
    expect(text).toMatch(/Goes out Tue, Dec 8, 10:00 AM EST your time/);
    await h.screenshot(page, 'candidate');
    await context.close();
  });
});
