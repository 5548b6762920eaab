/**
 * A contract schema as the documents embed it: plain JSON. TypeBox marks its schemas with symbol keys (`[Kind]`,
 * `[OptionalKind]`), which JSON drops; `$id` and `$schema` would make a document's validator treat an embedded schema
 * as a resource of its own, so they go too.
 */
import type { TSchema } from '@sinclair/typebox';

export type JsonObject = Record<string, unknown>;

const DROPPED_KEYS = new Set(['$id', '$schema']);

export function plainSchema(schema: TSchema | JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(schema), (key, value) => (DROPPED_KEYS.has(key) ? undefined : value)) as JsonObject;
}

/** `#/components/schemas/<name>` as a schema. */
export const schemaRef = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/** The document as the committed file holds it: two-space JSON and a final newline. */
export const documentText = (document: JsonObject): string => `${JSON.stringify(document, null, 2)}\n`;
