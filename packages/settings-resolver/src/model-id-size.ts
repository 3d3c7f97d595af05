/** The parameter count a model id states ("Llama-3.1-8B", "Qwen3-32B", "llm-jp-4-32b-a3b"), or null when it states none. */
export function parametersInModelId(modelId: string): number | null {
  const billions = Number(/(\d+(?:\.\d+)?)\s*[bB](?![a-zA-Z])/.exec(modelId.split("/").pop() ?? "")?.[1]);
  return Number.isFinite(billions) && billions > 0 ? billions * 1e9 : null;
}
