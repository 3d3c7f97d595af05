import { existsSync } from "node:fs";

/** Debian's Chromium, which .ci/run installs; tests that need it skip with a reason where it is absent. */
export const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path)) ?? null;

/** Launches headless Chromium with the flags this closed network needs (playwright gives it a fresh profile). */
export async function launchChromium() {
  if (!chromiumPath) throw new Error("chromium is not installed");
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
