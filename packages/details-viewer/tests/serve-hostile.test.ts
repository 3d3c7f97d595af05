import { request } from "node:http";
import { connect } from "node:net";
import { testdir } from "@sweval/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { searchPattern } from "../src/query.js";
import { startServer } from "../src/server.js";

const servers: Array<{ close(): void }> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** The page of an empty root: the request reached the handler (which says there is nothing to list). */
async function reachesHandler(url: URL, headers: Record<string, string> = {}): Promise<boolean> {
  const answer = await get(url, "/", headers);
  return answer.status === 400 && /no details_\*\.parquet or results_\*\.json files here/.test(answer.body);
}

async function serve() {
  const { server, url } = await startServer({ root: await testdir() });
  servers.push(server);
  return new URL(url);
}

function get(url: URL, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends raw bytes and returns the status line of the answer. */
function raw(url: URL, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("end", () => resolve(answer.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
    setTimeout(() => socket.end(), 2000);
  });
}

describe("details serve against hostile requests", () => {
  it("answers only to its own name: another Host (a DNS-rebinding page) gets 421", async () => {
    const url = await serve();
    expect(await reachesHandler(url)).toBe(true);
    expect(await reachesHandler(url, { host: `localhost:${url.port}` })).toBe(true);
    const rebound = await get(url, "/", { host: `attacker.example:${url.port}` });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toMatch(/this server answers to 127\.0\.0\.1:\d+/);
    expect((await get(url, "/", { host: "127.0.0.1:1" })).status).toBe(421);
  });

  it.each([
    [
      "an absolute-form request line",
      (port: string) => `GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
      /^HTTP\/1\.1 400/,
    ],
    ["a malformed request line", () => "GARBAGE\r\n\r\n", /^HTTP\/1\.1 400/],
    ["a POST", (port: string) => `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\ncontent-length: 0\r\n\r\n`, /^HTTP\/1\.1 405/],
  ])("answers %s with an error and keeps serving", async (_, text, status) => {
    const url = await serve();
    expect(await raw(url, text(url.port))).toMatch(status);
    expect(await reachesHandler(url)).toBe(true);
  });

  it.each([
    ["/task?file=x.parquet&start=abc", /"start" must be a whole number/],
    ["/task?file=x.parquet&start=-1", /"start" must be a whole number/],
    ["/sample?file=x.parquet&i=1e99", /"i" must be a whole number/],
    ["/task?file=../../etc/passwd", /is not a file under/],
    ["/task?file=missing.parquet", /missing\.parquet/],
  ])("answers %s with 400 and an error page, at once", async (path, message) => {
    const url = await serve();
    const answer = await get(url, path);
    expect(answer.status).toBe(400);
    expect(answer.body.replaceAll("&quot;", '"')).toMatch(message);
    expect(await reachesHandler(url)).toBe(true);
  });
});

describe(searchPattern, () => {
  it("turns a search that is not a regular expression into bad input", () => {
    expect(searchPattern("ab+c").test("xABBC")).toBe(true);
    expect(() => searchPattern("(unclosed")).toThrow(/field "--grep": cannot read the search "\(unclosed" as a regular expression/);
  });
});
