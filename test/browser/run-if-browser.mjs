// `npm test` runs the browser suite too when a Chromium is installed; otherwise it says so in one line.
// BROWSER_TESTS=off skips it (CI runs `npm run test:browser` on its own).
import { spawnSync } from 'node:child_process';
import chromium from './chromium.cjs';

const { chromiumPath } = chromium;

if (process.env.BROWSER_TESTS === 'off') {
  console.log('Browser tests skipped (BROWSER_TESTS=off); run them with `npm run test:browser`.');
  process.exit(0);
}
if (!chromiumPath()) {
  console.log('Browser tests skipped: no Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install -y chromium`, or set CHROMIUM_PATH), then `npm run test:browser`.');
  process.exit(0);
}
const r = spawnSync('npx', ['jest', '--config', 'test/browser/jest.config.js'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
