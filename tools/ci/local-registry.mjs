#!/usr/bin/env node
// A read-only npm registry for the packed @sweval tarballs, so CI installs them the way users will
// (`npm i -g @sweval/cli` with `--@sweval:registry=<url>`): npm fetches the packument, checks the integrity,
// and resolves @sweval/* dependencies here while every other package still comes from the public registry.
// Usage: node local-registry.mjs <dir of .tgz>; prints its URL on stdout once listening; stops on SIGTERM.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: local-registry.mjs <dir of .tgz>\n");
  process.exit(2);
}

/** package/package.json from a tarball: tar headers are 512 bytes, the name at 0, the octal size at 124. */
function manifestOf(tarball) {
  const tar = gunzipSync(tarball);
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = tar
      .subarray(at, at + 100)
      .toString("utf8")
      .replace(/\0.*$/s, "");
    const size = Number.parseInt(
      tar
        .subarray(at + 124, at + 136)
        .toString("utf8")
        .replace(/\0.*$/s, "")
        .trim() || "0",
      8,
    );
    if (name === "") break;
    if (name === "package/package.json") return JSON.parse(tar.subarray(at + 512, at + 512 + size).toString("utf8"));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("no package/package.json in the tarball");
}

const packages = new Map();
for (const file of readdirSync(dir).filter((name) => name.endsWith(".tgz"))) {
  const bytes = readFileSync(join(dir, file));
  const manifest = manifestOf(bytes);
  const entry = packages.get(manifest.name) ?? { versions: {}, files: new Map() };
  entry.versions[manifest.version] = {
    ...manifest,
    _id: `${manifest.name}@${manifest.version}`,
    dist: {
      shasum: createHash("sha1").update(bytes).digest("hex"),
      integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
      tarball: `/${manifest.name}/-/${file}`,
    },
  };
  entry.files.set(file, bytes);
  entry.latest = manifest.version;
  packages.set(manifest.name, entry);
}

const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url ?? "/", "http://registry").pathname);
  const [, scope, name, dash, file] = path.split("/");
  const entry = packages.get(`${scope}/${name}`);
  if (request.method !== "GET" || !entry) {
    response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    return;
  }
  if (dash === "-" && file && entry.files.has(file)) {
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(entry.files.get(file));
    return;
  }
  const base = `http://${request.headers.host}`;
  const versions = Object.fromEntries(
    Object.entries(entry.versions).map(([version, doc]) => [version, { ...doc, dist: { ...doc.dist, tarball: base + doc.dist.tarball } }]),
  );
  response
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify({ name: `${scope}/${name}`, "dist-tags": { latest: entry.latest }, versions }));
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
  process.stderr.write(`local registry: ${[...packages.keys()].join(", ")}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
