// The rehearsal's stand-in for `vllm serve`: an OpenAI-compatible server on the given port that answers
// every chat completion with a canned, clearly marked text. At start-up it refuses what the real vLLM refuses, per
// version (real-programs.md §1.3-1.5): unknown flags, reasoning parsers the version has not built in and no plugin
// registered, a non-integer VLLM_USE_V1 on 0.9; 0.18 logs VLLM_USE_V1 as unknown. Its version is the checkout's
// (uv.lock in its working directory, as `uv run --project` would pick), else SWEVAL_REHEARSE_VLLM_VERSION, else 0.9.2.
// SWEVAL_REHEARSE_VLLM_MODE: healthy (default) | never-healthy | die | ignore-sigterm; SWEVAL_REHEARSE_VLLM_DELAY_MS.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { lockedVllm } from "./locked-vllm.js";

const args = process.argv.slice(2);
const version = process.env.SWEVAL_REHEARSE_VLLM_VERSION || lockedVllm([process.cwd()]) || "0.9.2";
const minor = Number(version.split(".")[1] ?? 0);
console.log(`ARGV ${JSON.stringify(args)}`);
checkStartup();
const port = Number(args[args.indexOf("--port") + 1]);
const model = args[args.indexOf("serve") + 1] ?? "model";
const served = args.includes("--served-model-name") ? args[args.indexOf("--served-model-name") + 1] : model;
const mode = process.env.SWEVAL_REHEARSE_VLLM_MODE ?? "healthy";
const delay = Number(process.env.SWEVAL_REHEARSE_VLLM_DELAY_MS ?? 300);
const started = Date.now();
console.log(`INFO rehearsal vLLM stand-in: serve ${model} on port ${port} (${args.join(" ")})`);
console.error("WARNING rehearsal vLLM stand-in: this line goes to stderr");
const maxN = Number(process.env.SWEVAL_REHEARSE_VLLM_MAX_N ?? 1024);
if (mode === "die") {
  console.error("RuntimeError: rehearsal stand-in asked to die during startup");
  process.exit(1);
}
if (mode === "ignore-sigterm") process.on("SIGTERM", () => console.log("INFO ignoring SIGTERM"));
const server = createServer((request, response) => {
  if (request.url === "/health") {
    const ready = mode !== "never-healthy" && Date.now() - started >= delay;
    response.writeHead(ready ? 200 : 503).end();
    return;
  }
  if (request.url === "/v1/models") {
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ object: "list", data: [{ id: served, object: "model" }] }));
    return;
  }
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    const parsed = JSON.parse(body || "{}") as { n?: number; model?: string; max_completion_tokens?: unknown };
    const n = Math.max(1, parsed.n ?? 1);
    // What vLLM's OpenAI server refuses: another model than it serves (404), n over its limit, a non-positive limit.
    const refusal =
      parsed.model !== served
        ? { status: 404, message: `The model \`${parsed.model}\` does not exist.` }
        : n > maxN
          ? { status: 400, message: `n must be at most ${maxN}` }
          : parsed.max_completion_tokens !== undefined &&
              !(Number.isInteger(parsed.max_completion_tokens) && (parsed.max_completion_tokens as number) >= 1)
            ? { status: 400, message: "max_completion_tokens must be at least 1" }
            : null;
    if (refusal) {
      console.log(`INFO: "POST ${request.url}" ${refusal.status} model=${parsed.model} n=${n}: ${refusal.message}`);
      response
        .writeHead(refusal.status, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: refusal.message } }));
      return;
    }
    console.log(`INFO: "POST ${request.url}" 200 OK model=${parsed.model} n=${n}`);
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: "rehearsal",
        object: "chat.completion",
        model: served,
        choices: Array.from({ length: n }, (_, index) => ({
          index,
          finish_reason: "stop",
          message: { role: "assistant", content: "[REHEARSAL] The answer is 42." },
        })),
        usage: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 },
      }),
    );
  });
});
server.listen(port, "127.0.0.1");

// --- start-up checks, as the real vLLM makes them ---

function refuse(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

function checkStartup(): void {
  const flags = new Set([
    "--port",
    "--host",
    "--hf-token",
    "--tensor-parallel-size",
    "--max-model-len",
    "--gpu-memory-utilization",
    "--dtype",
    "--reasoning-parser",
    "--trust-remote-code",
    "--served-model-name",
    // Replicas on one node (--layout auto): V1 serve takes it in 0.9 (vllm-project/vllm#18567 runs 0.9.1 with it) and 0.18.
    "--data-parallel-size",
    // Whether 0.9.2 has it was not checked (real-programs.md §1.3); V4 never passes it, so this stand-in refuses it there.
    ...(minor >= 18 ? ["--reasoning-parser-plugin"] : []),
  ]);
  const unknown = args.filter((arg) => arg.startsWith("--") && !flags.has(arg));
  if (args[0] !== "serve" || unknown.length > 0) refuse(`vllm: error: unrecognized arguments: ${unknown.join(" ")}`, 2);
  const useV1 = process.env.VLLM_USE_V1;
  if (useV1 !== undefined) {
    if (minor >= 11) console.log("WARNING Unknown vLLM environment variable detected: VLLM_USE_V1");
    else if (!/^-?\d+$/.test(useV1.trim())) refuse(`ValueError: invalid literal for int() with base 10: '${useV1}'`, 1);
  }
  const parserAt = args.indexOf("--reasoning-parser");
  if (parserAt < 0) return;
  const parser = args[parserAt + 1] ?? "";
  const builtIn = minor >= 18 ? ["deepseek_r1", "granite", "nemotron_v3", "qwen3"] : ["deepseek_r1", "granite", "qwen3"];
  if (minor < 18 && !builtIn.includes(parser))
    refuse(
      `vllm serve: error: argument --reasoning-parser: invalid choice: '${parser}' (choose from ${builtIn.map((p) => `'${p}'`).join(", ")})`,
      2,
    );
  const registered = [...builtIn, ...pluginParsers()];
  if (!registered.includes(parser)) refuse(`KeyError: 'invalid reasoning parser: ${parser} (chose from { ${registered.join(", ")} })'`, 1);
}

/**
 * The names the plugin loader registers: each *_reasoning_parser.py beside it, as the real loader imports them. A
 * file that imports a sibling module by plain name loads only with its folder on PYTHONPATH; otherwise the loader
 * prints "Failed to load" and goes on, as V5's does, and the name stays unregistered.
 */
function pluginParsers(): string[] {
  const at = args.indexOf("--reasoning-parser-plugin");
  const loader = at >= 0 ? args[at + 1] : undefined;
  if (!loader || !existsSync(loader)) return [];
  const dir = dirname(loader);
  const onPath = (process.env.PYTHONPATH ?? "").split(":").includes(dir);
  const names: string[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith("_reasoning_parser.py"))) {
    const imports = [...readFileSync(join(dir, file), "utf8").matchAll(/^\s*(?:from|import)\s+(\w+)/gm)].map((m) => m[1] as string);
    const sibling = imports.find((module) => existsSync(join(dir, `${module}.py`)));
    if (sibling && !onPath) {
      console.log(`Failed to load ${join(dir, file)}: No module named '${sibling}'`);
      continue;
    }
    names.push(file.slice(0, -"_reasoning_parser.py".length));
  }
  return names;
}
