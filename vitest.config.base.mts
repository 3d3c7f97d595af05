import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export const baseConfig = defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "forks",
    // Caches written by the tools under test stay out of the user's home.
    env: { SWEVAL_CACHE_DIR: join(tmpdir(), `sweval-test-cache-${process.pid}`) },
    setupFiles: [new URL("./tools/test-utils/src/fail-on-console.ts", import.meta.url).pathname],
  },
});
