#!/usr/bin/env node
// A sync loop an ATS can start from: pulls every candidate changed since the last run, oldest
// change first, and resumes exactly where it stopped (plain Node 20+, no dependencies).
//
//   API=http://localhost:3000 TOUCHPOINT_API_KEY=tp_… node examples/ats-sync.mjs
//
// Environment:
//   API                  where Touchpoint answers (default http://localhost:3000)
//   TOUCHPOINT_API_KEY   an API key (the `integration` preset has what this needs)
//   SYNC_STATE           the file that keeps the position between runs (default .touchpoint-sync.json)
//   SYNC_SINCE           the first run's starting point, ISO-8601 (default: everything, 2000-01-01)
//   SYNC_WATCH_SECONDS   poll again every N seconds instead of exiting once caught up
//
// Each change is printed as one JSON line; replace `save` and `remove` with your ATS's writes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const API = process.env.API ?? 'http://localhost:3000';
const KEY = process.env.TOUCHPOINT_API_KEY;
const STATE_FILE = process.env.SYNC_STATE ?? '.touchpoint-sync.json';
const WATCH = Number(process.env.SYNC_WATCH_SECONDS ?? 0);

if (!KEY) {
  console.error('Set TOUCHPOINT_API_KEY to an API key (POST /v1/api-keys with "preset": "integration").');
  process.exit(2);
}

const QUERY = `query Sync($since: DateTime!, $after: String) {
  candidates(first: 100, updatedSince: $since, after: $after, includeDeleted: true) {
    edges { cursor node { id externalId externalSource name email phone status updatedAt deletedAt } }
    pageInfo { hasNextPage }
  }
}`;

function loadState() {
  if (existsSync(STATE_FILE)) return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  return { since: process.env.SYNC_SINCE ?? '2000-01-01T00:00:00Z', cursor: null };
}

async function graphql(query, variables) {
  const res = await fetch(`${API}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(`${res.status}: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data;
}

const save = (candidate) => console.log(JSON.stringify({ change: 'saved', id: candidate.id, externalId: candidate.externalId, name: candidate.name }));
const remove = (candidate) => console.log(JSON.stringify({ change: 'deleted', id: candidate.id, externalId: candidate.externalId }));

async function syncOnce(state) {
  let changes = 0;
  for (;;) {
    const { candidates } = await graphql(QUERY, { since: state.since, after: state.cursor });
    for (const { node, cursor } of candidates.edges) {
      if (node.deletedAt) remove(node);
      else save(node);
      changes += 1;
      state.cursor = cursor;
      // Persist after each change: a crash resumes right after the last one written.
      writeFileSync(STATE_FILE, JSON.stringify(state));
    }
    if (!candidates.pageInfo.hasNextPage) return changes;
  }
}

try {
  const state = loadState();
  do {
    const changes = await syncOnce(state);
    console.error(`caught up: ${changes} change(s)`);
    if (WATCH > 0) await new Promise((r) => setTimeout(r, WATCH * 1000));
  } while (WATCH > 0);
} catch (err) {
  console.error(`sync failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
