import { defineConfig } from "vitest/config";

// One root config so `npx vitest` runs every package; each package also has its own for `nx test`.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.mts"],
  },
});
