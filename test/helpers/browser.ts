/**
 * Debian's Chromium for the tests that open a page (`apt-get install chromium`; `.ci/run` installs it):
 * `ACCTMGR_TEST_CHROMIUM` names another binary. The flags keep it off this machine's closed network.
 */
export const CHROMIUM = process.env.ACCTMGR_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
