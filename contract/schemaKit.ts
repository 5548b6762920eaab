import { Type, type TSchema, type TString, type StringOptions, type TUnsafe } from '@sinclair/typebox';
import { PRINTABLE_PATTERN } from './limits';

/** A required identifier: 1 to `max` characters (code points), no control characters. */
export const identifier = (max: number, options: StringOptions = {}): TString =>
  Type.String({ minLength: 1, maxLength: max, pattern: PRINTABLE_PATTERN, ...options });

/** `T` or JSON null (OpenAPI 3.1 / JSON Schema type lists). */
export const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A closed object: a field the schema does not name is refused, never ignored. */
export const closed = { additionalProperties: false } as const;

/** One of a fixed list of strings, as a plain JSON Schema `enum` (readable in OpenAPI, one precise error). */
export const oneOf = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnsafe<T[number]> => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
