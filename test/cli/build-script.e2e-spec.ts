import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// `npm start`, `npm run import`… build through scripts/build.mjs: nothing when nothing changed,
// and never under a process running from dist/ (dist/.running/<pid>). `npm test` built dist/
// (pretest) before this runs. Other suites start processes from dist/ in parallel (boot, the
// CLIs), so the assertions allow their markers beside this test's own.
const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const build = () => spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--server-only'], { cwd: ROOT, encoding: 'utf8' });

describe('scripts/build.mjs', () => {
  const stamp = join(DIST, '.built-server');
  const marker = join(DIST, '.running', String(process.pid));
  let saved: string | undefined;

  beforeAll(() => {
    expect(build().status).toBe(0); // up to date first (a source may have changed since pretest)
    saved = readFileSync(stamp, 'utf8');
  });
  afterAll(() => {
    rmSync(marker, { force: true });
    if (saved !== undefined) writeFileSync(stamp, saved);
  });

  it('does nothing when nothing changed since the last build', () => {
    const mainJs = statSync(join(DIST, 'src', 'main.js')).mtimeMs;
    const again = build();
    expect([again.status, again.stderr]).toEqual([0, '']);
    expect(statSync(join(DIST, 'src', 'main.js')).mtimeMs).toBe(mainJs);
  });

  it('never rewrites dist/ under a running process: it says so and uses the build that is there', () => {
    const mainJs = statSync(join(DIST, 'src', 'main.js')).mtimeMs;
    mkdirSync(join(DIST, '.running'), { recursive: true });
    writeFileSync(marker, 'this test\n');
    rmSync(stamp, { force: true }); // as if the sources had changed since
    const result = build();
    expect(result.status).toBe(0);
    // Other suites (boot, the CLIs) may be running from dist/ at the same time: their pids are listed too.
    expect(result.stderr).toMatch(new RegExp(`Touchpoint is running from dist/ \\(pid (\\d+, )*${process.pid}(, \\d+)*\\): not rebuilding under it`));
    expect(statSync(join(DIST, 'src', 'main.js')).mtimeMs).toBe(mainJs);
  });

  it('ignores the marker of a process that is gone', () => {
    rmSync(marker, { force: true });
    writeFileSync(join(DIST, '.running', '999999999'), 'killed\n');
    try {
      const result = build();
      expect(result.status).toBe(0);
      expect(result.stderr).not.toContain('999999999');
      // Unless another suite is running from dist/ just now (then it rightly does not rebuild), it built.
      if (!result.stderr.includes('running from dist/')) expect(existsSync(stamp)).toBe(true);
    } finally {
      rmSync(join(DIST, '.running', '999999999'), { force: true });
    }
  });
});
