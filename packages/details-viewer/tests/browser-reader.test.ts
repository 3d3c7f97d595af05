import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumPath, launchChromium, repoRoot, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { swallowRows, writeWithDuckdb } from "./duckdb-fixtures.js";

const here = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(join(here, "package.json"));

/** The browser entry's npm imports, mapped to the files npm installed, for a page that loads ESM unbundled. */
function importMap(): Record<string, string> {
  const url = (path: string) => `/${relative(repoRoot, path).split("\\").join("/")}`;
  const packageDir = (name: string, from = here) => {
    // Walk up from the package's entry: not every package exports its package.json.
    let dir = dirname(createRequire(join(from, "package.json")).resolve(name));
    while (!existsSync(join(dir, "package.json")) || JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name !== name)
      dir = dirname(dir);
    return dir;
  };
  const hyparquet = packageDir("hyparquet");
  const compressors = packageDir("hyparquet-compressors");
  return {
    "@sweval/details-viewer/browser": url(join(here, "dist/browser.js")),
    "@sweval/core/errors": url(require.resolve("@sweval/core/errors")),
    hyparquet: url(join(hyparquet, "src/index.js")),
    "hyparquet/": `${url(hyparquet)}/`,
    "hyparquet-compressors": url(join(compressors, "src/index.js")),
    fzstd: url(join(packageDir("fzstd", compressors), "esm/index.mjs")),
    hysnappy: url(join(packageDir("hysnappy", compressors), "js/index.js")),
    "zstddec/stream": url(require.resolve("zstddec/stream")),
  };
}

/** Serves the repository's files (and /data/* from a dir) with HTTP range requests, as a static host does. */
async function staticServer(dataDir: string, page: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    if (path === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
      return;
    }
    const file = path.startsWith("/data/") ? join(dataDir, path.slice(6)) : resolve(repoRoot, `.${path}`);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    const type = /\.m?js$/.test(file) ? "text/javascript" : "application/octet-stream";
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : stat.size - 1;
      response.writeHead(206, {
        "content-type": type,
        "content-length": end - start + 1,
        "content-range": `bytes ${start}-${end}/${stat.size}`,
      });
      createReadStream(file, { start, end }).pipe(response);
      return;
    }
    response.writeHead(200, { "content-type": type, "content-length": stat.size, "accept-ranges": "bytes" });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!chromiumPath && !process.env.CI)(
  chromiumPath ? "the ./browser entry in headless Chromium" : "the ./browser entry in a browser (skipped: chromium is not installed)",
  () => {
    it("reads pages of rows over HTTP range requests, snappy and zstd, exactly", async () => {
      const dir = await testdir();
      const rows = swallowRows(3000);
      for (const codec of ["snappy", "zstd"] as const)
        await writeWithDuckdb(dir, `details_${codec}`, rows, { codec, version: "V1", rowGroupSize: 2048 });
      const page = `<!doctype html><meta charset="utf-8"><script type="importmap">${JSON.stringify({ imports: importMap() })}</script>
<script type="module">
import { openDetailsBuffer, readRows, toSample } from "@sweval/details-viewer/browser";
import { asyncBufferFromUrl } from "hyparquet";
window.read = async (name, start, end) => {
  const url = "/data/" + name;
  const details = await openDetailsBuffer(await asyncBufferFromUrl({ url }), url);
  const rows = await readRows(details, { start, end });
  return { layout: details.layout, numRows: details.numRows, rows, first: toSample(rows[0], details.layout, start).prompt };
};
window.ready = true;
</script>`;
      const { server, origin } = await staticServer(dir, page);
      const { browser, close } = await launchChromium();
      try {
        const tab = await browser.newPage();
        const errors: string[] = [];
        tab.on("pageerror", (error) => errors.push(String(error)));
        await tab.goto(`${origin}/`);
        await tab.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 10_000 });
        for (const name of ["details_snappy.parquet", "details_zstd.parquet"]) {
          const result = await tab.evaluate(
            ([file, start, end]) =>
              (globalThis as unknown as { read: (n: string, s: number, e: number) => Promise<unknown> }).read(file, start, end),
            [name, 2040, 2060] as const,
          );
          expect(result, name).toEqual({
            layout: "swallow",
            numRows: 3000,
            rows: rows.slice(2040, 2060),
            first: rows[2040]?.full_prompt,
          });
        }
        expect(errors).toEqual([]);
      } finally {
        await close();
        server.close();
      }
    }, 60_000);
  },
);

// The page above must not need anything the import map lacks: every bare import the browser entry reaches is mapped.
describe("the import map of the browser test", () => {
  it("maps every npm package the browser entry's modules import", () => {
    const map = importMap();
    const bare = (file: string) =>
      [...readFileSync(file, "utf8").matchAll(/(?:import|export)[^'"]*from\s+["']([^"'.][^"']*)["']/g)].map((m) => m[1] as string);
    const dist = join(here, "dist");
    const ours = [
      "browser.js",
      "read-details.js",
      "page-reader.js",
      "page-bytes.js",
      "plain.js",
      "sample.js",
      "python-literal.js",
      "mcnemar.js",
    ];
    for (const file of ours)
      for (const specifier of bare(join(dist, file)))
        expect(
          Object.keys(map).some((key) => specifier === key || (key.endsWith("/") && specifier.startsWith(key))),
          `${file}: ${specifier}`,
        ).toBe(true);
  });
});
