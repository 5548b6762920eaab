/**
 * The subset of JSON Schema (draft-04, what API Gateway request models accept) that our request and message schemas
 * use, and a validator for it. The schema objects are the single source: the Lambdas validate with them, the stack
 * attaches them as API Gateway models, and the OpenAPI document embeds them.
 */
export type JsonType = 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null';

export interface JsonSchema {
  readonly type?: JsonType | readonly JsonType[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly maxProperties?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly enum?: readonly (string | number | boolean)[];
  readonly items?: JsonSchema;
  readonly maxItems?: number;
  readonly minItems?: number;
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function typeMatches(expected: JsonType, actual: JsonType): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

const describe = (path: string) => (path === '' ? 'The body' : path);
/** In a `u` regex this matches only unpaired surrogates: JSON's "\ud800" escape parses to a string that is not text. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** Every problem found, each naming its field, e.g. `ScriptData.Contact Name: must be a string, number or boolean`. */
export function validateJson(schema: JsonSchema, value: unknown, path = ''): string[] {
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const expected = Array.isArray(schema.type) ? schema.type : [schema.type as JsonType];
    const actual = typeOf(value);
    if (!expected.some((type) => typeMatches(type, actual))) {
      const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}` : expected[0]!;
      const article = /^[aeiou]/.test(list) ? 'an' : 'a';
      return [`${describe(path)}: must be ${article} ${list}`];
    }
  }
  if (schema.enum !== undefined && !schema.enum.includes(value as string | number | boolean)) {
    problems.push(`${describe(path)}: must be one of ${schema.enum.join(', ')}`);
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) return [`${describe(path)}: is not valid Unicode text`];
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      problems.push(schema.minLength === 1 ? `${describe(path)}: must not be empty` : `${describe(path)}: must have at least ${schema.minLength} characters`);
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      problems.push(`${describe(path)}: must have at most ${schema.maxLength} characters`);
    }
    if (schema.pattern !== undefined && length > 0 && !new RegExp(schema.pattern, 'u').test(value)) {
      problems.push(`${describe(path)}: has characters that are not allowed`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      problems.push(`${describe(path)}: must have at least ${schema.minItems} items`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      problems.push(`${describe(path)}: must have at most ${schema.maxItems} items`);
    }
    if (schema.items !== undefined) {
      value.forEach((item, index) => problems.push(...validateJson(schema.items!, item, `${path}[${index}]`)));
    }
  }
  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (const name of schema.required ?? []) {
      if (!Object.prototype.hasOwnProperty.call(record, name)) problems.push(`${child(path, name)}: is required`);
    }
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      problems.push(`${describe(path)}: must have at most ${schema.maxProperties} entries`);
    }
    for (const key of keys) {
      if (LONE_SURROGATE.test(key)) {
        problems.push(`${describe(path)}: has a key that is not valid Unicode text`);
        continue;
      }
      const known = schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key)
        ? schema.properties[key]
        : undefined;
      if (known) {
        problems.push(...validateJson(known, record[key], child(path, key)));
      } else if (schema.additionalProperties === false) {
        problems.push(`${child(path, key)}: is not a known field`);
      } else if (typeof schema.additionalProperties === 'object') {
        problems.push(...validateJson(schema.additionalProperties, record[key], child(path, key)));
      }
    }
  }
  return problems;
}
