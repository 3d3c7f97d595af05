// The parts that run in a browser too (no node: imports): open details from any AsyncBuffer — an ArrayBuffer,
// or hyparquet's asyncBufferFromUrl — read pages of rows, and normalise them.

export { mcnemarExact } from "./mcnemar.js";
export { parsePythonLiteral, parsePythonLiteralOr } from "./python-literal.js";
export type { DetailsFile, Layout } from "./read-details.js";
export { openDetailsBuffer, plain, readRows, scanRows } from "./read-details.js";
export type { Message, Sample } from "./sample.js";
export { promptText, score, toSample } from "./sample.js";
