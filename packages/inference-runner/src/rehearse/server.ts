// The rehearsal's stand-in for `vllm serve`: an OpenAI-compatible server on the given port that answers
// every chat completion with a canned, clearly marked text. Accepts vLLM's flags and ignores the rest.
// SWEVAL_REHEARSE_VLLM_MODE: healthy (default) | never-healthy | die | ignore-sigterm; SWEVAL_REHEARSE_VLLM_DELAY_MS.
import { createServer } from "node:http";

const args = process.argv.slice(2);
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
    const parsed = JSON.parse(body || "{}") as { n?: number; model?: string };
    const n = Math.max(1, parsed.n ?? 1);
    if (n > maxN) {
      response
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: `n must be at most ${maxN}` } }));
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
