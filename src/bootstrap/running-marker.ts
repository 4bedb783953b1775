import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Marks this process as running from this build (`dist/.running/<pid>`), until it exits. The
 * build script (scripts/build.mjs) never rewrites dist/ while a marked process is alive, so a
 * second process started from the same folder (`npm run import` next to `npm start`) cannot
 * replace the code under a running one. A marker left by a killed process names a dead pid and
 * is ignored.
 */
export function markRunning(): void {
  // Compiled, this file is dist/src/bootstrap/running-marker.js: dist/ is two folders up.
  const dir = join(__dirname, '..', '..', '.running');
  const file = join(dir, String(process.pid));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${new Date().toISOString()} ${process.argv.slice(1).join(' ')}\n`);
  } catch {
    return; // a read-only install (the Docker image): nothing builds there anyway
  }
  process.once('exit', () => rmSync(file, { force: true }));
}
