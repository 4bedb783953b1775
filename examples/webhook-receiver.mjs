#!/usr/bin/env node
// A webhook receiver an ATS can start from: verifies Touchpoint's signature over the raw body,
// refuses stale or forged requests, and handles each event once (plain Node 20+, no dependencies).
//
//   TOUCHPOINT_WEBHOOK_SECRET=whsec_… PORT=4000 node examples/webhook-receiver.mjs
//
// Subscribe it with POST /v1/webhook-subscriptions { "url": "https://your-host/touchpoint",
// "eventTypes": ["candidate.*", "lead.status_changed"] }: the answer carries the secret, once.
// Each accepted event is printed as one JSON line; replace `handle` with your ATS's work.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const SECRET = process.env.TOUCHPOINT_WEBHOOK_SECRET;
const PORT = Number(process.env.PORT ?? 4000);
const TOLERANCE_SECONDS = 300;

if (!SECRET) {
  console.error('Set TOUCHPOINT_WEBHOOK_SECRET to the secret the subscription answered with.');
  process.exit(2);
}

/** `v1=` + hex HMAC-SHA256(secret, timestamp + "." + raw body); several may be given, comma-separated. */
function verified(headers, rawBody) {
  const ts = Number(headers['touchpoint-timestamp']);
  if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > TOLERANCE_SECONDS) return false;
  const expected = Buffer.from('v1=' + createHmac('sha256', SECRET).update(`${ts}.`).update(rawBody).digest('hex'));
  return String(headers['touchpoint-signature'] ?? '')
    .split(',')
    .map((s) => Buffer.from(s.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}

// Delivery is at least once: keep the ids you handled (a database table in production).
const seen = new Set();

function handle(event) {
  console.log(JSON.stringify({ event: event.type, id: event.id, data: event.data }));
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    if (req.method !== 'POST' || !verified(req.headers, raw)) {
      res.writeHead(401).end();
      console.error('refused: missing, stale or bad signature');
      return;
    }
    const event = JSON.parse(raw.toString('utf8'));
    if (!seen.has(event.id)) {
      seen.add(event.id);
      handle(event);
    }
    res.writeHead(204).end();
  });
});

server.listen(PORT, () => console.error(`listening on http://127.0.0.1:${server.address().port}`));
