import { createServer, type Server } from "node:http";
import { isAbsolute, relative, resolve } from "node:path";
import { diffRuns } from "./diff.js";
import { openDetails } from "./open-details.js";
import { hasDetails, listDetails, readPage } from "./query.js";
import { readRows } from "./read-details.js";
import { type Message, promptText, type Sample, toSample } from "./sample.js";

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
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    handle(root, url)
      .then(({ status, html }) => response.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(html))
      .catch((error: Error) =>
        response
          .writeHead(isInputError(error) ? 400 : 500, { "content-type": "text/html; charset=utf-8" })
          .end(page("Error", `<p class="error">${esc(error.message)}</p><p><a href="/">back to the runs</a></p>`)),
      );
  });
  return new Promise((resolvePromise) => {
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolvePromise({ server, url: `http://${options.host ?? "127.0.0.1"}:${port}/` });
    });
  });
}

async function handle(root: string, url: URL): Promise<{ status: number; html: string }> {
  const file = (name: string) => inside(root, url.searchParams.get(name) ?? "");
  if (url.pathname === "/") {
    const entries = await listDetails(root);
    const rows = entries.map(
      (e) =>
        `<tr><td>${esc(e.model)}</td><td>${esc(e.dateId)}</td><td>${
          hasDetails(e) ? `<a class="task" href="/task?file=${encodeURIComponent(relative(root, e.path))}">${esc(e.task)}</a>` : esc(e.task)
        }</td><td>${e.rows}</td><td>${esc(e.layout)}</td><td>${esc(
          Object.entries(e.scores ?? {})
            .map(([name, value]) => `${name} ${Number(value.toFixed(4))}`)
            .join(", "),
        )}</td></tr>`,
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
    const start = Number(url.searchParams.get("start") ?? 0);
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
    const index = Number(url.searchParams.get("i") ?? 0);
    const details = await openDetails(path);
    const [row] = await readRows(details, { start: index, end: index + 1 });
    if (!row) throw Object.assign(new Error(`no sample ${index} in ${relative(root, path)}`), { exitCode: 2 });
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

function renderSample(sample: Sample): string {
  const prompt =
    typeof sample.prompt === "string"
      ? `<div class="message"><pre>${esc(sample.prompt)}</pre></div>`
      : (sample.prompt as Message[])
          .map((m) => `<div class="message role-${esc(m.role)}"><b>${esc(m.role)}</b>${fold(m.content)}</div>`)
          .join("");
  const predictions = (sample.predictions as Array<string | string[]>)
    .map(
      (p, i) =>
        `<div class="prediction"><b>prediction ${i + 1}</b>${fold(Array.isArray(p) ? p.join("\n\n--- next turn ---\n\n") : p)}</div>`,
    )
    .join("");
  const reasoning = sample.reasoning?.length
    ? `<details class="reasoning"><summary>reasoning (${sample.reasoning.length})</summary>${sample.reasoning.map((r) => `<pre>${esc(r)}</pre>`).join("")}</details>`
    : "";
  return `<div class="sample-view"><h4>prompt</h4>${prompt}<h4>predictions</h4>${predictions}${reasoning}<h4>gold</h4><pre>${esc(JSON.stringify(sample.gold, null, 1))}</pre><h4>metrics</h4><pre class="metrics">${esc(JSON.stringify(sample.metrics, null, 1))}</pre><h4>specifics</h4><pre>${esc(clip(JSON.stringify(sample.specifics, null, 1), 4000))}</pre></div>`;
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
    throw Object.assign(new Error(`"${rel}" is not a file under ${root}`), { exitCode: 2 });
  return path;
}

function isInputError(error: unknown): boolean {
  return (error as { exitCode?: number }).exitCode === 2;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}
