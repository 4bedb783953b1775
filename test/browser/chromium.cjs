// Where the machine's Chromium is: CHROMIUM_PATH, else Debian's /usr/bin/chromium (apt-get install -y chromium).
const { existsSync } = require('node:fs');

function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? null;
}

module.exports = { chromiumPath };
