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

  it('an email and password that open two firms: the page asks which, and signs in to the chosen one', async () => {
    const email = uniqueEmail('dana');
    await h.firm('Contoso Talent', 'Dana Two', email);
    await h.firm('Fabrikam People', 'Dana Two', email);
    const { context, page } = await h.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await seen(page.getByText('This email signs in to several firms. Which one?'));
    await page.getByLabel('Fabrikam People').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await seen(page.getByRole('heading', { name: 'Today', level: 1 }));
    await seen(page.getByText('Dana Two · Fabrikam People'));
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
    await eventually(async () => expect(await card.innerText()).toContain('About: Product Designer at Globex'));
    const text = await card.innerText();
    expect(text).toContain('Planned');
    expect(text).toMatch(/Goes out Tue, Dec 8, 10:00 AM EST your time/);
    // The API's preview: the channel and why, the address, the text as it would go out.
    expect(text).toContain('Email');
    expect(text).toContain('To Hank Hiring <hank@globex.example>');
    expect(text).toMatch(/Jane/);
    expect(text).not.toContain('written from the');

    // Schedule an interview: its confirmation appears among the planned follow-ups, moves with a
    // reschedule, and goes away with a cancel.
    await page.getByLabel('Interview time (America/New_York)').fill('2026-12-03T14:00');
    await page.getByRole('button', { name: 'Schedule interview' }).click();
    const confirmation = page.getByRole('article', { name: 'Interview confirmation to Jane Doe' });
    await seen(confirmation);
    expect(await confirmation.innerText()).toMatch(/Wed, Dec 2, 2:00 PM EST/);
    await seen(page.getByText(/Thu, Dec 3, 2:00 PM EST · video · 45 min/));
    await h.screenshot(page, 'candidate');
    await page.getByRole('button', { name: 'Reschedule' }).click();
    await page.getByLabel('New time (America/New_York)').fill('2026-12-04T15:00');
    await page.getByRole('button', { name: 'Move interview' }).click();
    await eventually(async () => expect(await confirmation.innerText()).toMatch(/Thu, Dec 3, 3:00 PM EST/));
    await page.getByRole('button', { name: 'Cancel interview' }).click();
    await eventually(async () => expect(await page.getByRole('article', { name: /^Interview confirmation/ }).count()).toBe(0));
    await seen(page.getByText(/cancelled/));
    await context.close();
  });

  it('approve a follow-up that needs approval from Today, and it is sent (the SMTP server receives it)', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    await api.put('/v1/settings/follow-up-policy').send({ offer_thank_you: { requiresApproval: true } }).expect(200);
    const candidateId = (await api.post('/v1/candidates').send({ name: 'Omar Offer', email: 'omar@mail.example', status: 'inactive' }).expect(201)).body.id;
    const contactId = (await api.post('/v1/contacts').send({ name: 'Erin Employer', email: 'erin@initech.example', company: 'Initech' }).expect(201)).body.id;
    const leadId = (await api.post('/v1/leads').send({ candidateId, company: 'Initech', position: 'Analyst', employerContactId: contactId, status: 'interviewing' }).expect(201)).body.id;
    await api.post(`/v1/leads/${leadId}/status`).send({ status: 'offer' }).expect(200);

    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    const card = page.getByRole('article', { name: 'Offer thank-you to Erin Employer' });
    await seen(card);
    expect(await card.innerText()).toContain('Needs your approval');
    expect(await card.innerText()).toContain('To Erin Employer <erin@initech.example>');
    await h.screenshot(page, 'today');
    // Before approving, the recruiter rewrites this one follow-up's text.
    await card.getByRole('button', { name: 'Edit text' }).click();
    await card.getByLabel('Text').fill('Erin, thank you for the offer to Omar. He is thrilled. Pat');
    await card.getByRole('button', { name: 'Save text' }).click();
    await eventually(async () => expect(await card.innerText()).toContain('Text edited'));
    expect(await card.innerText()).toContain('Erin, thank you for the offer to Omar. He is thrilled. Pat');
    expect(h.smtp.messages.filter((m) => m.envelope.to.includes('erin@initech.example'))).toHaveLength(0);
    await card.getByRole('button', { name: 'Approve' }).click();
    // Approved: it leaves "waiting for your approval" and goes out today.
    await eventually(async () => expect(await page.locator('section[aria-labelledby="going-out"]').getByRole('article', { name: 'Offer thank-you to Erin Employer' }).innerText()).toContain('Planned'));
    expect(await page.locator('section[aria-labelledby="awaiting"]').getByRole('article').count()).toBe(0);

    await h.dispatch();
    const mail = h.smtp.messages.filter((m) => m.envelope.to.includes('erin@initech.example'));
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toContain('Erin, thank you for the offer to Omar. He is thrilled. Pat');
    // Today shows it among what went out.
    await page.reload();
    const sent = page.getByRole('article', { name: 'Offer thank-you to Erin Employer' });
    await seen(sent);
    expect(await sent.innerText()).toContain('Sent');
    await context.close();
  });

  it('snooze (tomorrow morning, next week, a chosen time), send now and cancel are one click each', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    await api.put('/v1/settings/follow-up-policy').send({ offer_thank_you: { requiresApproval: true } }).expect(200);
    const names = ['Ann', 'Ben', 'Cat', 'Dan', 'Eve'];
    for (const n of names) {
      const candidateId = (await api.post('/v1/candidates').send({ name: `${n} Candidate`, status: 'inactive' }).expect(201)).body.id;
      const contactId = (await api.post('/v1/contacts').send({ name: `${n} Employer`, email: `${n.toLowerCase()}@employer.example` }).expect(201)).body.id;
      const leadId = (await api.post('/v1/leads').send({ candidateId, company: `${n} Corp`, position: 'Clerk', employerContactId: contactId, status: 'interviewing' }).expect(201)).body.id;
      await api.post(`/v1/leads/${leadId}/status`).send({ status: 'offer' }).expect(200);
    }
    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    const card = (n: string) => page.getByRole('article', { name: `Offer thank-you to ${n} Employer` });
    const followUp = async (n: string) => {
      const contacts = (await api.get(`/v1/contacts?q=${n}%20Employer`).expect(200)).body.items as { id: string }[];
      const items = (await api.get(`/v1/follow-ups?rule=offer_thank_you&contactId=${contacts[0]!.id}`).expect(200)).body.items as { status: string; dueAt: string }[];
      return items[0]!;
    };
    await seen(card('Ann'));

    await card('Ann').getByRole('button', { name: 'Snooze' }).click();
    await card('Ann').getByRole('button', { name: 'Tomorrow morning' }).click();
    await eventually(async () => expect((await followUp('Ann')).dueAt).toBe('2026-12-02T14:00:00.000Z')); // Wed 09:00 in New York

    await card('Ben').getByRole('button', { name: 'Snooze' }).click();
    await card('Ben').getByRole('button', { name: 'Next week' }).click();
    await eventually(async () => expect((await followUp('Ben')).dueAt).toBe('2026-12-07T14:00:00.000Z')); // Monday 09:00

    await card('Cat').getByRole('button', { name: 'Snooze' }).click();
    await card('Cat').getByLabel('At a time (America/New_York)').fill('2026-12-03T16:30');
    await card('Cat').getByRole('button', { name: 'Snooze to this time' }).click();
    await eventually(async () => expect((await followUp('Cat')).dueAt).toBe('2026-12-03T21:30:00.000Z'));

    await card('Dan').getByRole('button', { name: 'Send now' }).click();
    await eventually(async () => expect((await followUp('Dan')).status).toBe('planned'));
    await card('Eve').getByRole('button', { name: 'Cancel' }).click();
    await eventually(async () => expect((await followUp('Eve')).status).toBe('cancelled'));
    await h.dispatch();
    expect(h.smtp.messages.filter((m) => m.envelope.to.some((to) => to.endsWith('@employer.example'))).map((m) => m.envelope.to[0])).toEqual(['dan@employer.example']);
    await context.close();
  });

  it('Today shows what was skipped with the reason in words, and the tasks (a lead with no employer contact)', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    const candidateId = (await api.post('/v1/candidates').send({ name: 'Tara Tasks', email: 'tara@mail.example', status: 'inactive' }).expect(201)).body.id;
    const nora = (await api.post('/v1/contacts').send({ name: 'Nora Noaddress', company: 'Vandelay' }).expect(201)).body.id;
    const offerLead = (await api.post('/v1/leads').send({ candidateId, company: 'Vandelay', position: 'Importer', employerContactId: nora, status: 'interviewing' }).expect(201)).body.id;
    await api.post(`/v1/leads/${offerLead}/status`).send({ status: 'offer' }).expect(200);
    await h.dispatch(); // nobody to send to: skipped, with the reason
    const appliedLead = (await api.post('/v1/leads').send({ candidateId, company: 'Kramerica', position: 'Intern' }).expect(201)).body.id;
    await api.post(`/v1/leads/${appliedLead}/status`).send({ status: 'applied' }).expect(200);

    const { context, page } = await h.newPage();
    await h.advance(7 * 24 * 3600_000, page); // a week later: the resume follow-up's day
    await h.signIn(page, firm.email);
    const skipped = page.locator('section[aria-labelledby="attention"]').getByRole('article', { name: 'Offer thank-you to Nora Noaddress' });
    await seen(skipped);
    expect(await skipped.innerText()).toMatch(/Why: .*no email address/);
    const tasks = page.locator('section[aria-labelledby="tasks"]').getByRole('article');
    await eventually(async () => expect(await tasks.count()).toBeGreaterThan(0));
    expect(await tasks.first().innerText()).toMatch(/Kramerica|employer contact/i);
    expect(await tasks.first().innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/); // names, not UUIDs
    await h.screenshot(page, 'today-attention');
    await context.close();
  });

  it('an inbound SMS appears in Replies without a reload, and the answer reaches the Twilio server', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    await api.post('/v1/candidates').send({ name: 'Sam Texter', phone: '+14155550177', email: 'sam@mail.example', status: 'inactive' }).expect(201);
    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    await page.getByRole('link', { name: 'Replies' }).click();
    await seen(page.getByText('No conversations yet.'));

    await h.textFrom(firm, '+14155550177', 'Is the Globex interview still on for Thursday?');
    const conversation = page.getByRole('link', { name: /Sam Texter/ });
    await seen(conversation); // polled in, no reload
    expect(await conversation.innerText()).toContain('1 unanswered');
    await conversation.click();
    const thread = page.getByRole('list', { name: 'Messages with Sam Texter' });
    await seen(thread.getByText('Is the Globex interview still on for Thursday?'));
    const box = page.getByLabel('Reply by SMS to +14155550177');
    await box.fill('Yes, Thursday at 3pm. Good luck!');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await seen(page.getByText('Queued.'));

    await h.dispatch();
    const sent = h.twilio.messages.filter((m) => m.To === '+14155550177');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.Body).toContain('Yes, Thursday at 3pm. Good luck!');
    // The answer shows in the thread, and the reply is no longer unanswered.
    await seen(thread.getByText('Yes, Thursday at 3pm. Good luck!'));
    await eventually(async () => expect(await page.getByRole('link', { name: /Sam Texter/ }).innerText()).not.toContain('unanswered'));
    await h.screenshot(page, 'replies');
    await context.close();
  });

  it('a STOP disables the reply box and says why', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    const id = (await api.post('/v1/candidates').send({ name: 'Stella Stop', phone: '+14155550178', status: 'inactive' }).expect(201)).body.id;
    await h.textFrom(firm, '+14155550178', 'Who is this?');
    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    await page.goto(`/replies/candidate/${id}`);
    const box = page.getByLabel('Reply by SMS to +14155550178');
    await seen(box);
    expect(await box.isEnabled()).toBe(true);

    await h.textFrom(firm, '+14155550178', 'STOP');
    const disabled = page.getByRole('textbox', { name: 'Reply' });
    await eventually(async () => expect(await disabled.isDisabled()).toBe(true));
    await seen(page.getByText(/You can't reply to Stella Stop: opted out of SMS; no email address/));
    await seen(page.getByText(/Opted out of SMS by texting STOP/));
    expect(await page.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);
    await context.close();
  });

  it('edit a template and the live preview changes, with a real candidate\'s data', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    const candidateId = (await api.post('/v1/candidates').send({ name: 'Priya Preview', email: 'priya@mail.example', status: 'inactive' }).expect(201)).body.id;
    const contactId = (await api.post('/v1/contacts').send({ name: 'Hank Hiring', email: 'hank@globex.example' }).expect(201)).body.id;
    await api.post('/v1/leads').send({ candidateId, company: 'Globex', position: 'Designer', employerContactId: contactId }).expect(201);
    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    await page.getByRole('link', { name: 'Settings' }).click();
    const rule = page.getByRole('region', { name: 'Resume follow-up' });
    await rule.getByRole('button', { name: 'Edit templates' }).click();
    const preview = rule.getByTestId('template-preview');
    await seen(preview);
    await rule.getByLabel('Text').fill('Hi {{recipientFirstName}}, any news on {{candidateName}} for {{position}} at {{company}}? {{recruiterName}}');
    await eventually(async () => expect(await preview.innerText()).toBe('Hi Hank, any news on Priya Preview for Designer at Globex? Pat Recruiter'));
    await rule.getByLabel('Text').fill('Hello {{recipientFirstName}} from {{firmName}}');
    await eventually(async () => expect(await preview.innerText()).toBe('Hello Hank from Acme Staffing'));
    await rule.getByRole('button', { name: 'Save template' }).click();
    await seen(rule.getByText('Saved.'));
    const policy = (await h.api(firm).get('/v1/settings/follow-up-policy').expect(200)).body;
    expect(policy.resume_follow_up.templates.email.contact.body).toBe('Hello {{recipientFirstName}} from {{firmName}}');
    // A bad template is refused by the API, and the error sits next to the field.
    await rule.getByLabel('Text').fill('Hello {{nope}}');
    await rule.getByRole('button', { name: 'Save template' }).click();
    await seen(rule.locator('.field-invalid .field-error'));
    expect(await rule.locator('.field-invalid .field-error').innerText()).toMatch(/nope/);
    await h.screenshot(page, 'settings');
    await context.close();
  });

  it('admins invite a recruiter (who joins), turn a rule off, create an API key shown once, and connect Twilio', async () => {
    const firm = await h.firm();
    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    await page.getByRole('link', { name: 'Settings' }).click();

    const checkIn = page.getByRole('region', { name: 'Check-in' });
    await checkIn.getByLabel('On', { exact: true }).uncheck();
    await eventually(async () => expect((await h.api(firm).get('/v1/settings/follow-up-policy').expect(200)).body.candidate_check_in.enabled).toBe(false));

    await page.getByRole('tab', { name: 'Team' }).click();
    const invite = page.getByRole('form', { name: 'Invite a recruiter' });
    await invite.getByLabel('Name', { exact: true }).fill('Riley Recruiter');
    const rileyEmail = uniqueEmail('riley');
    await invite.getByLabel('Email', { exact: true }).fill(rileyEmail);
    await invite.getByRole('button', { name: 'Invite' }).click();
    const link = await invite.locator('.secret code').innerText();
    expect(link).toMatch(/\/accept-invite\?token=/);

    await page.getByRole('tab', { name: 'API keys' }).click();
    const keyForm = page.getByRole('form', { name: 'Create an API key' });
    await keyForm.getByLabel('Name', { exact: true }).fill('ATS sync');
    await keyForm.getByRole('button', { name: 'Create key' }).click();
    const secret = await keyForm.locator('.secret code').innerText();
    expect(secret).toMatch(/^tp_/);
    const me = await fetch(`${h.baseUrl}/v1/candidates`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    await page.reload();
    await page.getByRole('tab', { name: 'API keys' }).click();
    await seen(page.getByText('ATS sync'));
    expect(await page.getByText(secret).count()).toBe(0); // shown once

    await page.getByRole('tab', { name: 'Twilio' }).click();
    const twilioForm = page.getByRole('form', { name: 'Connect Twilio' });
    await twilioForm.getByLabel('Account SID').fill('AC' + 'e5'.repeat(16));
    await twilioForm.getByLabel('Auth token').fill('a-new-auth-token-9876');
    await twilioForm.getByLabel('From number').fill('+14155550111');
    await twilioForm.getByRole('button', { name: 'Save' }).click();
    await seen(page.getByText(/auth token ending 9876/));
    await seen(page.getByText(`/v1/webhooks/twilio/${firm.webhookKey}/inbound`));
    // A bad number is refused next to its field.
    await twilioForm.getByLabel('From number').fill('12345');
    await twilioForm.getByRole('button', { name: 'Save' }).click();
    await seen(twilioForm.locator('.field-invalid .field-error'));
    expect(await twilioForm.getByLabel('From number').getAttribute('aria-invalid')).toBe('true');

    // The invited recruiter joins from the link, in a browser of their own, and sees no Settings.
    const other = await h.newPage();
    await other.page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await other.page.getByLabel('Choose a password').fill('another correct horse battery');
    await other.page.getByRole('button', { name: 'Join' }).click();
    await seen(other.page.getByRole('heading', { name: 'Today', level: 1 }));
    await seen(other.page.getByText('Riley Recruiter'));
    expect(await other.page.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await other.context.close();
    await context.close();
  });

  it('at a 390 px phone width, Today and Replies are usable', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    await api.put('/v1/settings/follow-up-policy').send({ offer_thank_you: { requiresApproval: true } }).expect(200);
    const candidateId = (await api.post('/v1/candidates').send({ name: 'Mia Mobile', phone: '+14155550179', email: 'mia@mail.example', status: 'inactive' }).expect(201)).body.id;
    const contactId = (await api.post('/v1/contacts').send({ name: 'Carl Contact', email: 'carl@umbrella.example' }).expect(201)).body.id;
    const leadId = (await api.post('/v1/leads').send({ candidateId, company: 'Umbrella', position: 'Nurse', employerContactId: contactId, status: 'interviewing' }).expect(201)).body.id;
    await api.post(`/v1/leads/${leadId}/status`).send({ status: 'offer' }).expect(200);
    await h.textFrom(firm, '+14155550179', 'Thanks for the update!');

    const { context, page } = await h.newPage({ width: 390, height: 844 });
    await h.signIn(page, firm.email);
    const noSideScroll = async () => expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const card = page.getByRole('article', { name: 'Offer thank-you to Carl Contact' });
    await seen(card);
    await noSideScroll();
    expect(await card.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
    await h.screenshot(page, 'phone-today');
    await card.getByRole('button', { name: 'Approve' }).click();
    await eventually(async () => expect(await card.innerText()).toContain('Planned'));

    await page.getByRole('link', { name: 'Replies' }).click();
    await page.getByRole('link', { name: /Mia Mobile/ }).click();
    // On a phone the thread takes the screen, with a way back.
    await seen(page.getByRole('list', { name: 'Messages with Mia Mobile' }).getByText('Thanks for the update!'));
    expect(await page.getByRole('region', { name: 'Conversations' }).isVisible()).toBe(false);
    await seen(page.getByRole('link', { name: '← All conversations' }));
    const box = page.getByLabel('Reply by SMS to +14155550179');
    await box.fill('You are welcome!');
    expect(await page.getByRole('button', { name: 'Send reply' }).isEnabled()).toBe(true);
    await noSideScroll();
    await h.screenshot(page, 'phone-replies');
    await context.close();
  });

  it('axe-core finds no serious or critical violations on each main page', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    const candidateId = (await api.post('/v1/candidates').send({ name: 'Axel Access', phone: '+14155550180', email: 'axel@mail.example', status: 'inactive' }).expect(201)).body.id;
    const contactId = (await api.post('/v1/contacts').send({ name: 'Ada Employer', email: 'ada@hooli.example' }).expect(201)).body.id;
    await api.post('/v1/leads').send({ candidateId, company: 'Hooli', position: 'Engineer', employerContactId: contactId, status: 'applied' }).expect(201);
    await h.textFrom(firm, '+14155550180', 'Hello!');
    const { context, page } = await h.newPage();
    const check = async (name: string) => expect({ page: name, violations: await h.axe(page) }).toEqual({ page: name, violations: [] });

    await page.goto('/sign-in');
    await seen(page.getByRole('heading', { name: 'Sign in' }));
    await check('sign in');
    await page.goto('/sign-up');
    await seen(page.getByRole('heading', { name: "Create your firm's account" }));
    await check('sign up');
    await h.signIn(page, firm.email);
    await check('today');
    await page.getByRole('link', { name: 'Replies' }).click();
    await page.getByRole('link', { name: /Axel Access/ }).click();
    await seen(page.getByText('Hello!'));
    await check('replies');
    await page.getByRole('link', { name: 'Candidates' }).click();
    await seen(page.getByRole('link', { name: 'Axel Access' }));
    await h.screenshot(page, 'candidates');
    await check('candidates');
    await page.getByRole('link', { name: 'Axel Access' }).click();
    await seen(page.getByRole('heading', { name: 'Engineer at Hooli' }));
    await check('candidate');
    await page.getByRole('link', { name: 'Settings' }).click();
    await seen(page.getByRole('region', { name: 'Resume follow-up' }));
    await check('settings: rules');
    await page.getByRole('tab', { name: 'Twilio' }).click();
    await seen(page.getByText('Paste these into Twilio'));
    await check('settings: twilio');
    await page.getByRole('link', { name: 'Insights' }).click();
    await seen(page.getByRole('heading', { name: 'Reply rate per week' }));
    await check('insights');
    await context.close();
  });

  it('Insights: what went out, what was answered and per-week reply rates, from the real sends and replies', async () => {
    const firm = await h.firm();
    const api = h.api(firm);
    const candidateId = (await api.post('/v1/candidates').send({ name: 'Ines Insight', email: 'ines@mail.example', status: 'inactive' }).expect(201)).body.id;
    const contactId = (await api.post('/v1/contacts').send({ name: 'Ravi Employer', email: 'ravi@umbrella.example', company: 'Umbrella' }).expect(201)).body.id;
    const leadId = (await api.post('/v1/leads').send({ candidateId, company: 'Umbrella', position: 'Chemist', employerContactId: contactId, status: 'interviewing' }).expect(201)).body.id;
    await api.post(`/v1/leads/${leadId}/status`).send({ status: 'offer' }).expect(200);
    await h.dispatch();
    expect(h.smtp.messages.filter((m) => m.envelope.to.includes('ravi@umbrella.example'))).toHaveLength(1);
    await h.advance(3600_000); // an hour later

    const { context, page } = await h.newPage();
    await h.signIn(page, firm.email);
    await page.getByRole('link', { name: 'Insights' }).click();
    const funnel = page.getByRole('table', { name: 'From sent to answered to moved forward' });
    await seen(funnel);
    expect(await funnel.getByRole('row', { name: /Follow-ups sent/ }).innerText()).toContain('1');
    expect(await funnel.getByRole('row', { name: /Answered/ }).innerText()).toContain('0 (0%)');
    const weekly = page.getByRole('table', { name: 'Share of follow-ups answered, per rule and week' });
    expect(await weekly.getByRole('row', { name: /Offer thank-you/ }).innerText()).toContain('0% of 1');

    // The employer calls back (logged by the recruiter): that is an answer.
    await api.post('/v1/activities').send({ contactId, kind: 'call', direction: 'in', summary: 'Ravi called to say thanks' }).expect(201);
    await page.reload();
    await seen(page.getByRole('table', { name: 'From sent to answered to moved forward' }));
    expect(await page.getByRole('table', { name: 'From sent to answered to moved forward' }).getByRole('row', { name: /Answered/ }).innerText()).toContain('1 (100%)');
    expect(await page.getByRole('table', { name: 'Share of follow-ups answered, per rule and week' }).getByRole('row', { name: /Offer thank-you/ }).innerText()).toContain('100% of 1');
    await h.screenshot(page, 'insights');
    await context.close();
  });

  it('works from the keyboard alone, with a visible focus ring', async () => {
    const firm = await h.firm();
    const { context, page } = await h.newPage();
    await page.goto('/sign-in');
    await seen(page.getByRole('heading', { name: 'Sign in' }));
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.name')).toBe('email');
    await page.keyboard.type(firm.email);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.name')).toBe('password');
    await page.keyboard.type(STRONG_PASSWORD);
    await page.keyboard.press('Enter');
    await seen(page.getByRole('heading', { name: 'Today', level: 1 }));
    // The skip link comes first, then the navigation; the focused element shows an outline.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Replies');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');
    await page.keyboard.press('Enter');
    await seen(page.getByRole('heading', { name: 'Replies', level: 1 }));
    await context.close();
  });

  it("recruiter A never sees tenant B's people through the page", async () => {
    const a = await h.firm('Firm A', 'Alice A');
    const b = await h.firm('Firm B', 'Bob B');
    const bCandidate = (await h.api(b).post('/v1/candidates').send({ name: 'Brenda Bsecret', phone: '+14155550181', status: 'inactive' }).expect(201)).body.id;
    await h.textFrom(b, '+14155550181', 'Secret reply to firm B');
    await h.api(a).post('/v1/candidates').send({ name: 'Arthur Aonly', status: 'inactive' }).expect(201);
    const { context, page } = await h.newPage();
    await h.signIn(page, a.email);
    await page.getByRole('link', { name: 'Candidates' }).click();
    await seen(page.getByRole('link', { name: 'Arthur Aonly' }));
    expect(await page.getByText('Brenda Bsecret').count()).toBe(0);
    await page.getByRole('link', { name: 'Replies' }).click();
    await seen(page.getByText('No conversations yet.'));
    await page.goto(`/candidates/${bCandidate}`);
    await seen(page.getByText(/Candidate not found/i));
    await page.goto(`/replies/candidate/${bCandidate}`);
    await seen(page.getByText(/Candidate not found/i));
    expect(await page.getByText('Secret reply to firm B').count()).toBe(0);
    await context.close();
  });

  it('serves the console with a strict Content-Security-Policy; the API stays where it was', async () => {
    const res = await fetch(`${h.baseUrl}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect((await fetch(`${h.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/v1/nope`)).headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${h.baseUrl}/docs`)).status).toBe(200);
  });
});
