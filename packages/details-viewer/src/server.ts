import { createServer, type IncomingMessage, type Server } from "node:http";
import { isAbsolute, relative, resolve } from "node:path";
import { InputError } from "@sweval/core/errors";
import { diffRuns } from "./diff.js";
import { openDetails } from "./open-details.js";
import { hasDetails, listDetails, readPage } from "./query.js";
import { readRows } from "./read-details.js";
import { isTurns, type Message, promptText, type Sample, toSample } from "./sample.js";

export interface ServeOptions {
  root: string;
  /** @default 127.0.0.1 (loopback only) */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
}

const PAGE = 50;

/**
 * The local details page: runs → tasks → samples (paged, never a whole file at once) → one sample, and two
 * runs side by side. Every request is answered; a bad one gets an error page and the server goes on.
 */
export function startServer(options: ServeOptions): Promise<{ server: Server; url: string }> {
  const root = resolve(options.root);
  const host = options.host ?? "127.0.0.1";
  let port = 0;
  const server = createServer((request, response) => {
    const answer = (status: number, html: string) =>
      response.writeHead(status, { "content-type": "text/html; charset=utf-8", "x-content-type-options": "nosniff" }).end(html);
    const refused = refusal(request, host, port);
    if (refused) return answer(refused.status, errorPage(refused.message));
    handle(root, new URL(request.url ?? "/", "http://localhost"))
      .then(({ status, html }) => answer(status, html))
      .catch((error: Error) => answer(error instanceof InputError ? 400 : 500, errorPage(error.message)));
  });
  // A malformed request line never reaches the handler; answer it instead of dropping the connection.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  return new Promise((resolvePromise) => {
    server.listen(options.port ?? 0, host, () => {
      const address = server.address();
      port = typeof address === "object" && address ? address.port : 0;
      resolvePromise({ server, url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/` });
    });
  });
}

/**
 * Why a request is not served, or null. The page shows people's samples, so a page of another site that a
 * DNS rebinding points at this port must not read it: the Host header must name this server (by the address
 * it is bound to, or as localhost where that is loopback). Only origin-form paths are served.
 */
function refusal(request: IncomingMessage, host: string, port: number): { status: number; message: string } | null {
  if (request.method !== "GET" && request.method !== "HEAD") return { status: 405, message: `method ${request.method} is not served` };
  if (!(request.url ?? "/").startsWith("/")) return { status: 400, message: "only paths are served (origin-form request targets)" };
  const wildcard = host === "0.0.0.0" || host === "::";
  if (wildcard) return null;
  const allowed = new Set([`${host}:${port}`, `[${host}]:${port}`]);
  if (isLoopback(host)) for (const name of ["localhost", "127.0.0.1", "[::1]"]) allowed.add(`${name}:${port}`);
  const given = (request.headers.host ?? "").toLowerCase();
  return allowed.has(given)
    ? null
    : { status: 421, message: `this server answers to ${[...allowed].join(" or ")}, not "${given.slice(0, 100)}"` };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function errorPage(message: string): string {
  return page("Error", `<p class="error">${esc(message)}</p><p><a href="/">back to the runs</a></p>`);
}

/** A non-negative whole number from the query string; anything else is a bad request, not a hang. */
function indexParam(url: URL, name: string, fallback: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === "") return fallback;
  if (!/^\d{1,9}$/.test(text))
    throw new InputError(`"${name}" must be a whole number, received "${text.slice(0, 40)}"`, { code: "E_USAGE", field: name });
  return Number(text);
}

async function handle(root: string, url: URL): Promise<{ status: number; html: string }> {
  const file = (name: string) => inside(root, url.searchParams.get(name) ?? "");
  if (url.pathname === "/") {
    const entries = await listDetails(root);
    const row = (e: (typeof entries)[number]) =>
      `<tr><td>${esc(e.model)}</td><td>${esc(e.dateId)}</td><td>${
        hasDetails(e) ? `<a class="task" href="/task?file=${encodeURIComponent(relative(root, e.path))}">${esc(e.task)}</a>` : esc(e.task)
      }</td><td>${e.rows}</td><td>${esc(e.layout)}</td><td>${esc(formatScores(e.scores ?? {}))}</td></tr>`;
    // A benchmark's subsets (JMMLU's 53) sit under one heading with their plain average, as lighteval's :_average.
    const rows = groupByBenchmark(entries).map((group) =>
      group.members.length < 2
        ? group.members.map(row).join("")
        : `<tbody class="benchmark"><tr class="benchmark-heading"><th colspan="6">${esc(group.model)} · ${esc(group.dateId)} · ${esc(group.benchmark)}: ${group.members.length} subsets · average ${esc(formatScores(averageScores(group.members)))}</th></tr>${group.members.map(row).join("")}</tbody>`,
    );
    const options = entries
      .filter(hasDetails)
      .map((e) => `<option value="${esc(relative(root, e.path))}">${esc(`${e.model} ${e.dateId} ${e.task}`)}</option>`)
      .join("");
    return ok(
      page(
        "Runs",
        `<table><tr><th>model</th><th>run</th><th>task</th><th>rows</th><th>layout</th><th>scores</th></tr>${rows.join("")}</table>
<h2>Compare two runs</h2><form action="/diff" id="diff-form"><select name="a">${options}</select> <select name="b">${options}</select> <button>compare</button></form>`,
      ),
    );
  }
  if (url.pathname === "/task") {
    const path = file("file");
    const start = indexParam(url, "start", 0);
    const where = url.searchParams.get("where") || null;
    const grep = url.searchParams.get("q") || null;
    const onlyWrong = url.searchParams.get("wrong") === "1";
    const result = await readPage(path, { start, limit: PAGE, where, grep, onlyWrong });
    const rel = relative(root, path);
    const rows = result.samples.map(
      (s) =>
        `<tr class="sample"><td><a href="/sample?file=${encodeURIComponent(rel)}&i=${s.index}">${s.index}</a></td><td>${esc(clip(promptText(s), 140))}</td><td>${esc(clip(JSON.stringify(s.predictions), 100))}</td><td>${esc(clip(JSON.stringify(s.metrics), 80))}</td></tr>`,
    );
    const next =
      result.next === null
        ? ""
        : `<a id="next" href="/task?${new URLSearchParams({ file: rel, start: String(result.next), where: where ?? "", q: grep ?? "", wrong: onlyWrong ? "1" : "" })}">next page</a>`;
    return ok(
      page(
        rel,
        `<form id="filters"><input type="hidden" name="file" value="${esc(rel)}">
<label>metric filter <input name="where" placeholder="extractive_match<1" value="${esc(where ?? "")}"></label>
<label>search <input name="q" value="${esc(grep ?? "")}"></label>
<label><input type="checkbox" name="wrong" value="1"${onlyWrong ? " checked" : ""}> only wrong</label> <button>filter</button></form>
<p id="count">${result.samples.length} sample(s) shown of ${result.total}; rows ${start}–${start + result.scanned - 1} scanned</p>
<table><tr><th>#</th><th>prompt</th><th>prediction</th><th>metrics</th></tr>${rows.join("")}</table>${next}`,
      ),
    );
  }
  if (url.pathname === "/sample") {
    const path = file("file");
    const index = indexParam(url, "i", 0);
    const details = await openDetails(path);
    const [row] = await readRows(details, { start: index, end: index + 1 });
    if (!row) throw new InputError(`no sample ${index} in ${relative(root, path)}`, { code: "E_NO_SAMPLE" });
    return ok(page(`Sample ${index}`, renderSample(toSample(row, details.layout, index))));
  }
  if (url.pathname === "/diff") {
    const result = await diffRuns(file("a"), file("b"));
    const flip = (title: string, id: string, list: Array<{ a: Sample; b: Sample }>) =>
      `<h2>${title} (${list.length})</h2><div id="${id}">${list.map(({ a, b }) => `<div class="pair"><div class="side"><h3>A #${a.index}</h3>${renderSample(a)}</div><div class="side"><h3>B #${b.index}</h3>${renderSample(b)}</div></div>`).join("")}</div>`;
    return ok(
      page(
        "Diff",
        `<p id="summary">${result.paired} pairs by ${result.pairedBy}; metric ${esc(result.metric ?? "?")}; both right ${result.bothRight}, both wrong ${result.bothWrong}; right→wrong ${result.rightToWrong.length}, wrong→right ${result.wrongToRight.length}; McNemar exact p = ${result.pValue.toPrecision(3)}</p>
${flip("Right → wrong", "right-to-wrong", result.rightToWrong)}${flip("Wrong → right", "wrong-to-right", result.wrongToRight)}`,
      ),
    );
  }
  return {
    status: 404,
    html: page("Not found", `<p class="error">no page ${esc(url.pathname)}</p><p><a href="/">back to the runs</a></p>`),
  };
}

/** `name 0.1234, …`: a task's scores as a person reads them. */
function formatScores(scores: Record<string, number>): string {
  return Object.entries(scores)
    .map(([name, value]) => `${name} ${Number(value.toFixed(4))}`)
    .join(", ");
}

/** Entries in order, those of one model, run and benchmark (`suite|task`, the subset dropped) kept together. */
function groupByBenchmark<E extends { model: string; dateId: string; task: string }>(entries: E[]) {
  const groups: Array<{ model: string; dateId: string; benchmark: string; members: E[] }> = [];
  for (const entry of entries) {
    const benchmark = entry.task.replace(/^([^|]*\|[^|:]*):[^|]*(\|.*)?$/, "$1$2");
    const group = groups.find((g) => g.model === entry.model && g.dateId === entry.dateId && g.benchmark === benchmark);
    if (group) group.members.push(entry);
    else groups.push({ model: entry.model, dateId: entry.dateId, benchmark, members: [entry] });
  }
  return groups;
}

/** The plain mean of each score over a benchmark's subsets that have it. */
function averageScores(members: Array<{ scores?: Record<string, number> }>): Record<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const member of members)
    for (const [name, value] of Object.entries(member.scores ?? {})) {
      const sum = sums.get(name) ?? { total: 0, count: 0 };
      sums.set(name, { total: sum.total + value, count: sum.count + 1 });
    }
  return Object.fromEntries([...sums].map(([name, { total, count }]) => [name, total / count]));
}

function renderSample(sample: Sample): string {
  const messages = (list: Message[]) =>
    list.map((m) => `<div class="message role-${esc(m.role)}"><b>${esc(m.role)}</b>${fold(m.content)}</div>`).join("");
  const prompt =
    typeof sample.prompt === "string"
      ? `<div class="message"><pre>${esc(sample.prompt)}</pre></div>`
      : isTurns(sample.prompt)
        ? sample.prompt.map((turn, i) => `<div class="turn"><h5>turn ${i + 1}</h5>${messages(turn)}</div>`).join("")
        : messages(sample.prompt as Message[]);
  // MT-Bench keeps turns × samples: each turn's samples under its own heading.
  const predictions = (sample.predictions as Array<string | string[]>)
    .map((p, i) =>
      Array.isArray(p)
        ? `<div class="turn"><h5>turn ${i + 1}: ${p.length} sample(s)</h5>${p.map((text, j) => `<div class="prediction"><b>sample ${j + 1}</b>${fold(String(text))}</div>`).join("")}</div>`
        : `<div class="prediction"><b>prediction ${i + 1}</b>${fold(p)}</div>`,
    )
    .join("");
  const reasoning = sample.reasoning?.length
    ? `<details class="reasoning"><summary>reasoning (${sample.reasoning.length})</summary>${sample.reasoning.map((r) => `<pre>${esc(r)}</pre>`).join("")}</details>`
    : "";
  return `<div class="sample-view"><h4>prompt</h4>${prompt}<h4>predictions</h4>${predictions}${reasoning}${judgeSection(sample.metrics)}<h4>gold</h4><pre>${esc(JSON.stringify(sample.gold, null, 1))}</pre><h4>metrics</h4>${metricsBlock(sample.metrics)}<h4>specifics</h4><pre>${esc(clip(JSON.stringify(sample.specifics, null, 1), 4000))}</pre></div>`;
}

/** MT-Bench's judge, per turn: the scores of the samples and each judgement, before the raw metrics. */
function judgeSection(metrics: Record<string, unknown>): string {
  const turns = Object.keys(metrics)
    .map((key) => /^judgement_overall_turn_(\d+)$/.exec(key)?.[1])
    .filter((turn): turn is string => Boolean(turn))
    .sort();
  if (turns.length === 0) return "";
  const body = turns
    .map((turn) => {
      const scores = metrics[`judge_score_overall_turn_${turn}`];
      const judgements = (metrics[`judgement_overall_turn_${turn}`] as unknown[]) ?? [];
      const average = metrics[`judge_score_overall_turn_${turn}_avg`];
      return `<div class="turn judge"><h5>turn ${turn}: scores ${esc(JSON.stringify(scores))}${typeof average === "number" ? ` (mean ${Number(average.toFixed(3))})` : ""}</h5>${judgements.map((text, i) => `<div class="judgement"><b>judgement ${i + 1}</b>${fold(String(text))}</div>`).join("")}</div>`;
    })
    .join("");
  return `<h4>judge</h4>${body}`;
}

/** The metrics; the judge's own prompts (long, the same for every sample) fold away. */
function metricsBlock(metrics: Record<string, unknown>): string {
  const prompts = Object.fromEntries(Object.entries(metrics).filter(([key]) => key.startsWith("user_prompt_")));
  const rest = Object.fromEntries(Object.entries(metrics).filter(([key]) => !key.startsWith("user_prompt_")));
  const folded = Object.keys(prompts).length
    ? `<details><summary>the judge's prompts (${Object.keys(prompts).join(", ")})</summary><pre>${esc(clip(JSON.stringify(prompts, null, 1), 8000))}</pre></details>`
    : "";
  return `<pre class="metrics">${esc(JSON.stringify(rest, null, 1))}</pre>${folded}`;
}

/** Long text folds: the first lines show, the rest opens on a click. */
function fold(text: string): string {
  if (text.length <= 1200) return `<pre>${esc(text)}</pre>`;
  return `<pre>${esc(text.slice(0, 1200))}…</pre><details><summary>show all ${text.length} characters</summary><pre>${esc(text)}</pre></details>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · sweval details</title><style>
body{font-family:system-ui,"Noto Sans CJK JP",sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top;text-align:left}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;padding:.4rem;margin:.2rem 0}.error{color:#b00}.pair{display:flex;gap:1rem;border-top:2px solid #ccc;margin-top:.5rem}.side{flex:1;min-width:0}.role-system{opacity:.8}
form label{margin-right:1rem}</style></head><body><p><a href="/">runs</a></p><h1>${esc(title)}</h1>${body}</body></html>`;
}

function ok(html: string) {
  return { status: 200, html };
}

function inside(root: string, rel: string): string {
  const path = resolve(root, rel);
  const back = relative(root, path);
  if (rel === "" || back.startsWith("..") || isAbsolute(back))
    throw new InputError(`"${rel}" is not a file under ${root}`, { code: "E_USAGE", field: "file" });
  return path;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
