import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { testdir } from "@sweval/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { hubCache } from "../tests/fixtures.js";
import { detectModelMetadata, findCachedSnapshot, maxModelLengthFromConfig } from "./model-metadata.js";

describe(maxModelLengthFromConfig, () => {
  it.each([
    [{ max_position_embeddings: 131072 }, 32768],
    [{ max_position_embeddings: 4096 }, 4096],
    [{ max_position_embeddings: 0, model_max_length: 8192 }, 8192],
    [{ context_length: "2048", seq_length: 2048 }, 2048],
    [{ text_config: { max_position_embeddings: 16384 } }, 16384],
    [{ architectures: ["X"] }, 32768],
  ])("reads %j as %i", (config, expected) => {
    expect(maxModelLengthFromConfig(config)).toBe(expected);
  });
});

describe(detectModelMetadata, () => {
  it("reads config.json and tokenizer.json from the snapshot refs/main points to", async () => {
    const home = await hubCache("org/reasoner", {
      "config.json": { max_position_embeddings: 8192 },
      "tokenizer.json": { model: { vocab: { a: 0 } }, added_tokens: [{ id: 5, content: "<think>" }] },
    });
    const env = { HF_HOME: home };
    expect(findCachedSnapshot("org/reasoner", env)).toBe(`${home}/hub/models--org--reasoner/snapshots/0123abc`);
    const metadata = await detectModelMetadata({ modelId: "org/reasoner", env, offline: true });
    expect(metadata.maxModelLength).toEqual({
      value: 8192,
      source: { layer: "auto-detected", file: expect.stringContaining("0123abc/config.json") },
    });
    expect(metadata.hasThinkTag.value).toBe(true);
  });

  it("finds think tags in tokenizer_config.json's added_tokens_decoder and a thinking switch in the chat template", async () => {
    const home = await hubCache("org/hybrid", {
      "config.json": { max_position_embeddings: 40960 },
      "tokenizer_config.json": {
        added_tokens_decoder: { "151668": { content: "</think>" } },
        chat_template: "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>{% endif %}",
      },
    });
    const metadata = await detectModelMetadata({ modelId: "org/hybrid", env: { HF_HOME: home }, offline: true });
    expect([metadata.maxModelLength.value, metadata.hasThinkTag.value, metadata.chatTemplateThinkingSwitch.value]).toEqual([
      32768,
      true,
      true,
    ]);
  });

  it("says false when the tokenizer has no think token", async () => {
    const home = await hubCache("org/plain", {
      "config.json": { max_position_embeddings: 4096 },
      "tokenizer.json": { model: { vocab: { "<s>": 1 } } },
    });
    const metadata = await detectModelMetadata({ modelId: "org/plain", env: { HF_HOME: home }, offline: true });
    expect(metadata.hasThinkTag.value).toBe(false);
  });

  it("reads the legacy layout where models sit directly under HUGGINGFACE_CACHE", async () => {
    const dir = await testdir({ "models--org--m/refs/main": "r1", "models--org--m/snapshots/r1/config.json": '{"seq_length": 2048}' });
    const metadata = await detectModelMetadata({ modelId: "org/m", env: { HUGGINGFACE_CACHE: dir, HOME: dir }, offline: true });
    expect(metadata.maxModelLength.value).toBe(2048);
  });

  it("reads a local model directory given as modelPath", async () => {
    const dir = await testdir({ "config.json": '{"max_position_embeddings": 1024}', "tokenizer_config.json": "{}" });
    const metadata = await detectModelMetadata({ modelId: "org/local", modelPath: dir, env: { HOME: dir }, offline: true });
    expect([metadata.maxModelLength.value, metadata.hasThinkTag.value]).toEqual([1024, false]);
  });

  it("marks every value deferred, with the reason, when offline and not cached", async () => {
    const home = await testdir();
    const metadata = await detectModelMetadata({ modelId: "org/absent", env: { HF_HOME: home, HOME: home }, offline: true });
    expect(metadata.maxModelLength.source).toEqual({
      layer: "deferred",
      reason: expect.stringMatching(/not in the Hugging Face cache.*--offline/),
    });
    expect(metadata.hasThinkTag.value).toBeNull();
  });

  describe("downloading from the Hub", () => {
    const servers: Array<{ close(): void }> = [];
    afterEach(() => {
      for (const server of servers.splice(0)) server.close();
    });

    async function hub(files: Record<string, unknown>) {
      const requests: Array<{ url: string; authorization?: string }> = [];
      const server = createServer((request, response) => {
        requests.push({ url: request.url ?? "", authorization: request.headers.authorization });
        const file = Object.entries(files).find(([name]) => request.url?.endsWith(`/resolve/main/${name}`));
        if (!file) {
          response.writeHead(404).end("not found");
          return;
        }
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(file[1]));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      servers.push(server);
      return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
    }

    it("downloads config.json and tokenizer files over HTTP with HF_TOKEN when not cached", async () => {
      const { endpoint, requests } = await hub({
        "config.json": { max_position_embeddings: 65536 },
        "tokenizer_config.json": { added_tokens_decoder: { "1": { content: "<think>" } } },
      });
      const home = await testdir();
      const metadata = await detectModelMetadata({
        modelId: "org/remote",
        env: { HF_HOME: home, HOME: home, HF_ENDPOINT: endpoint, HF_TOKEN: "hf_secret" },
      });
      expect([metadata.maxModelLength.value, metadata.hasThinkTag.value]).toEqual([32768, true]);
      expect(requests[0]).toEqual({ url: "/org/remote/resolve/main/config.json", authorization: "Bearer hf_secret" });
      expect(JSON.stringify(metadata)).not.toContain("hf_secret");
    });

    it("defers when the Hub does not answer with config.json", async () => {
      const { endpoint } = await hub({});
      const home = await testdir();
      const metadata = await detectModelMetadata({ modelId: "org/gone", env: { HF_HOME: home, HOME: home, HF_ENDPOINT: endpoint } });
      expect(metadata.maxModelLength.source).toMatchObject({ layer: "deferred", reason: expect.stringContaining("no config.json") });
    });
  });
});
