// Rows to a parquet file typed the way pyarrow types the fork's rows (real-programs.md §3.5, "Arrow typing rules"):
// a list whose rows are all empty is list<null>, an all-None column is null, a struct holds the union of its rows'
// keys in first-seen order, ints are int64 and a mix of ints and floats is double. JavaScript numbers carry no
// int/float difference, so a float is written `double(x)`.

export class Double {
  constructor(readonly value: number) {}
}
/** A float, as Python's `1.0` is one where JavaScript's `1` is not. */
export const double = (value: number) => new Double(value);

type ArrowType =
  | { kind: "null" | "string" | "int64" | "double" | "bool" }
  | { kind: "list"; element: ArrowType }
  | { kind: "struct"; fields: Array<[string, ArrowType]> };

const NULL: ArrowType = { kind: "null" };

export function inferType(value: unknown): ArrowType {
  if (value === null || value === undefined) return NULL;
  if (value instanceof Double) return { kind: "double" };
  if (typeof value === "string") return { kind: "string" };
  if (typeof value === "boolean") return { kind: "bool" };
  if (typeof value === "number") return { kind: Number.isInteger(value) ? "int64" : "double" };
  if (Array.isArray(value)) return { kind: "list", element: value.map(inferType).reduce(mergeTypes, NULL) };
  if (typeof value === "object")
    return { kind: "struct", fields: Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, inferType(v)]) };
  throw new Error(`no Arrow type for ${typeof value}`);
}

export function mergeTypes(a: ArrowType, b: ArrowType): ArrowType {
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if ((a.kind === "int64" && b.kind === "double") || (a.kind === "double" && b.kind === "int64")) return { kind: "double" };
  if (a.kind === "list" && b.kind === "list") return { kind: "list", element: mergeTypes(a.element, b.element) };
  if (a.kind === "struct" && b.kind === "struct") {
    const fields = new Map(a.fields);
    for (const [name, type] of b.fields) fields.set(name, fields.has(name) ? mergeTypes(fields.get(name) as ArrowType, type) : type);
    return { kind: "struct", fields: [...fields] };
  }
  if (a.kind === b.kind) return a;
  throw new Error(`rows mix ${a.kind} and ${b.kind}`);
}

/** The schema and column data hyparquet-writer takes, columns sorted as the fork selects them. */
export function parquetTable(rows: Array<Record<string, unknown>>) {
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))].sort();
  const types = names.map((name) => rows.map((row) => inferType(row[name])).reduce(mergeTypes, NULL));
  const schema: Array<Record<string, unknown>> = [{ name: "schema", num_children: names.length }];
  for (const [index, name] of names.entries()) schema.push(...schemaElements(name, types[index] as ArrowType));
  const columnData = names.map((name, index) => ({ name, data: rows.map((row) => convert(row[name], types[index] as ArrowType)) }));
  return { schema, columnData };
}

// --- internal ---

/** pyarrow's parquet layout: lists as <name> (LIST) / repeated "list" / "element", null as INT32 (Null). */
function schemaElements(name: string, type: ArrowType): Array<Record<string, unknown>> {
  const leaf = (physical: string, extra: Record<string, unknown> = {}) => [{ name, type: physical, repetition_type: "OPTIONAL", ...extra }];
  switch (type.kind) {
    case "null":
      return leaf("INT32", { logical_type: { type: "NULL" } });
    case "string":
      return leaf("BYTE_ARRAY", { converted_type: "UTF8" });
    case "int64":
      return leaf("INT64");
    case "double":
      return leaf("DOUBLE");
    case "bool":
      return leaf("BOOLEAN");
    case "list":
      return [
        { name, repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        ...schemaElements("element", type.element),
      ];
    case "struct":
      return [
        { name, repetition_type: "OPTIONAL", num_children: type.fields.length },
        ...type.fields.flatMap(([field, fieldType]) => schemaElements(field, fieldType)),
      ];
  }
}

/** A value as the writer wants it for its type: int64 as bigint, a missing struct field as null. */
function convert(value: unknown, type: ArrowType): unknown {
  if (value === null || value === undefined || type.kind === "null") return null;
  if (value instanceof Double) return value.value;
  switch (type.kind) {
    case "int64":
      return BigInt(value as number);
    case "list":
      return (value as unknown[]).map((item) => convert(item, type.element));
    case "struct":
      return Object.fromEntries(
        type.fields.map(([field, fieldType]) => [field, convert((value as Record<string, unknown>)[field], fieldType)]),
      );
    default:
      return value;
  }
}
