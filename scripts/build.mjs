#!/usr/bin/env node
// What `npm start`, `npm run start:worker`, `npm run import` and `npm test` build first: only what
// changed (the server with tsc's incremental build, the console when its sources changed), and
// nothing at all while a Touchpoint process runs from dist/ (dist/.running/<pid>): a second
// process started from the same folder then uses the build that is there and says so once.
//
//   node scripts/build.mjs [--server-only] [--quiet]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const say = (line) => {
  if (!quiet) process.stderr.write(`${line}\n`);
};

/** The newest modification time under these paths (files or folders), 0 when none exists. */
function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) if (name !== 'node_modules') visit(join(p, name));
    } else latest = Math.max(latest, st.mtimeMs);
  };
  paths.forEach((p) => visit(join(root, p)));
  return latest;
}

const stampOf = (name) => join(dist, `.built-${name}`);
const builtAt = (name) => (existsSync(stampOf(name)) ? statSync(stampOf(name)).mtimeMs : 0);
const stamp = (name) => {
  mkdirSync(dist, { recursive: true });
  writeFileSync(stampOf(name), `${new Date().toISOString()}\n`);
};

const targets = [
  {
    name: 'server',
    output: join(dist, 'src', 'main.js'),
    sources: ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    command: ['npx', ['tsc', '-p', 'tsconfig.build.json']],
  },
  {
    name: 'console',
    output: join(dist, 'console', 'index.html'),
    sources: ['console/src', 'console/index.html', 'console/tsconfig.json', 'console/vite.config.mts', 'schema.gql', 'package-lock.json'],
    command: ['npm', ['run', '--silent', 'build:console']],
  },
].filter((t) => !(args.has('--server-only') && t.name === 'console'));

/** Live processes running from dist/ (markers of dead ones are ignored). */
function running() {
  const dir = join(dist, '.running');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map(Number)
    .filter((pid) => {
      if (!Number.isInteger(pid)) return false;
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return err.code === 'EPERM';
      }
    });
}

const stale = targets.filter((t) => !existsSync(t.output) || newest(t.sources) > builtAt(t.name));
if (stale.length === 0) process.exit(0);

const live = running();
if (live.length > 0) {
  const missing = stale.filter((t) => !existsSync(t.output));
  if (missing.length > 0) {
    process.stderr.write(`Touchpoint is running from dist/ (pid ${live.join(', ')}) but its ${missing.map((t) => t.name).join(' and ')} build is missing: stop it, then run this again.\n`);
    process.exit(1);
  }
  say(`Touchpoint is running from dist/ (pid ${live.join(', ')}): not rebuilding under it; using the build that is there (stop it to rebuild ${stale.map((t) => t.name).join(' and ')}).`);
  process.exit(0);
}

for (const t of stale) {
  say(`building the ${t.name}…`);
  const [cmd, cmdArgs] = t.command;
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  stamp(t.name);
}
