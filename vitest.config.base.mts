import { defineConfig } from "vitest/config";

export const baseConfig = defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "forks",
    setupFiles: [new URL("./tools/test-utils/src/fail-on-console.ts", import.meta.url).pathname],
  },
});
