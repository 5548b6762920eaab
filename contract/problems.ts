/**
 * Validation problems as the API reports them in `Error.Details`: one line per problem, each naming its field the way
 * a caller wrote it (`ScriptData.Contact Name: must be a string, number or boolean`, `Agents[3]: must not be empty`).
 * The checks themselves are ajv's, compiled ahead of time into validators.generated.js (see generateValidators.ts).
 */
import type { ErrorObject } from 'ajv';

export interface CompiledValidator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** In a `u` regex this matches only unpaired surrogates: JSON's "\ud800" escape parses to a string that is not text. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

const describe = (path: string) => (path === '' ? 'The body' : path);
const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

function typeList(types: string | readonly string[]): string {
  const list = (typeof types === 'string' ? types.split(',') : [...types]).map((type) => type.trim());
  return list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list[0]!;
}

/** Turn ajv's JSON Pointer into our dotted path, with `[i]` for array items. */
function readablePath(pointer: string, root: unknown): string {
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = Array.isArray(node) ? `${path}[${segment}]` : child(path, segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return path;
}

function describeError(error: ErrorObject, root: unknown): string {
  const path = readablePath(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const list = typeList(params.type as string | string[]);
      return `${describe(path)}: must be ${article(list)} ${list}`;
    }
    case 'required':
      return `${child(path, String(params.missingProperty))}: is required`;
    case 'additionalProperties':
      return `${child(path, String(params.additionalProperty))}: is not a known field`;
    case 'enum':
      return `${describe(path)}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `${describe(path)}: must be ${JSON.stringify(params.allowedValue)}`;
    case 'minLength':
      return params.limit === 1
        ? `${describe(path)}: must not be empty`
        : `${describe(path)}: must have at least ${params.limit} characters`;
    case 'maxLength':
      return `${describe(path)}: must have at most ${params.limit} characters`;
    case 'pattern':
      return `${describe(path)}: has characters that are not allowed`;
    case 'minItems':
      return `${describe(path)}: must have at least ${params.limit} items`;
    case 'maxItems':
      return `${describe(path)}: must have at most ${params.limit} items`;
    case 'maxProperties':
      return `${describe(path)}: must have at most ${params.limit} entries`;
    case 'minimum':
      return `${describe(path)}: must be at least ${params.limit}`;
    case 'maximum':
      return `${describe(path)}: must be at most ${params.limit}`;
    default:
      return `${describe(path)}: ${error.message ?? 'is not valid'}`;
  }
}

/**
 * Strings and keys that are not Unicode text, and numbers that are not finite, by path; ajv cannot see them. Walked with an explicit stack, not by
 * recursion: a body nested thousands of levels deep (valid JSON) must be refused, not overflow the call stack.
 */
function notJsonValues(root: unknown, found: Map<string, string>): void {
  const pending: [unknown, string][] = [[root, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) found.set(path, `${describe(path)}: is not valid Unicode text`);
    } else if (typeof value === 'number') {
      // JSON.parse reads 1e309 as Infinity, which JSON.stringify writes as null: refuse it rather than change it.
      if (!Number.isFinite(value)) found.set(path, `${describe(path)}: must be a finite number`);
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) pending.push([value[index], `${path}[${index}]`]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value).reverse()) {
        if (LONE_SURROGATE.test(key))
          found.set(`${path}#key`, `${describe(path)}: has a key that is not valid Unicode text`);
        else pending.push([item, child(path, key)]);
      }
    }
  }
}

/** Every problem found; an empty list means the value is valid. */
export function problemsOf(validate: CompiledValidator, value: unknown): string[] {
  const surrogates = new Map<string, string>();
  notJsonValues(value, surrogates);
  if (validate(value) && surrogates.size === 0) return [];
  const problems = (validate.errors ?? [])
    .filter((error) => !surrogates.has(readablePath(error.instancePath, value)))
    .map((error) => describeError(error, value));
  return [...new Set([...problems, ...surrogates.values()])];
}
