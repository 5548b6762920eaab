import PopRequestValidator from '../../../contract/generated/PopRequest';
import { MAX_POP_BODY_BYTES } from '../../../contract/limits';
import type { PopRequest } from '../../../contract/rest';
import { parseJsonBody } from '../../../lambdas/edge/requestBody';
import { refusal } from '../support/refusal';

/** The parsed request, or the refusal. */
const parse = (body: string | null, isBase64Encoded = false) => {
  const parsed = parseJsonBody<PopRequest>(body, isBase64Encoded, PopRequestValidator, MAX_POP_BODY_BYTES);
  return parsed.kind === 'parsed' ? parsed.value : parsed;
};

describe('pop request validation', () => {
  it('accepts the contract example and keeps ScriptData as sent', () => {
    const body = {
      Username: 'jsmith',
      Campaign: 'Sales',
      Reference: 'REF-1',
      ScriptData: { 'Contact Name': 'Ann', var_ContactReason: 'Billing', Amount: 12.5, Vip: true },
    };
    expect(parse(JSON.stringify(body))).toEqual(body);
  });

  it('accepts a pop without Reference or ScriptData', () => {
    expect(parse('{"Username":"jsmith","Campaign":"Sales"}')).toEqual({ Username: 'jsmith', Campaign: 'Sales' });
  });

  it('decodes a base64-encoded body', () => {
    const body = Buffer.from('{"Username":"a","Campaign":"b"}').toString('base64');
    expect(parse(body, true)).toMatchObject({ Username: 'a' });
  });

  it.each([
    ['missing Username', '{"Campaign":"Sales"}', 'Username: is required'],
    ['empty Campaign', '{"Username":"a","Campaign":""}', 'Campaign: must not be empty'],
    ['ScriptData not an object', '{"Username":"a","Campaign":"b","ScriptData":[1]}', 'ScriptData: must be an object'],
    [
      'a ScriptData value that is an object',
      '{"Username":"a","Campaign":"b","ScriptData":{"k":{"x":1}}}',
      'ScriptData.k: must be a string, number or boolean',
    ],
    [
      'a ScriptData value that is an array',
      '{"Username":"a","Campaign":"b","ScriptData":{"k":[1]}}',
      'ScriptData.k: must be a string, number or boolean',
    ],
    [
      'a ScriptData value that is null',
      '{"Username":"a","Campaign":"b","ScriptData":{"k":null}}',
      'ScriptData.k: must be a string, number or boolean',
    ],
    ['an unknown top-level field', '{"Username":"a","Campaign":"b","Extra":1}', 'Extra: is not a known field'],
    ['Username of the wrong type', '{"Username":5,"Campaign":"b"}', 'Username: must be a string'],
    [
      'a control character in Campaign',
      '{"Username":"a","Campaign":"b\\u0000"}',
      'Campaign: has characters that are not allowed',
    ],
    ['a body that is not an object', '[1,2]', 'The body: must be an object'],
    [
      'a ScriptData number that is not finite (1e309)',
      '{"Username":"a","Campaign":"b","ScriptData":{"k":1e309}}',
      'ScriptData.k: must be a finite number',
    ],
    [
      'a negative infinite ScriptData number',
      '{"Username":"a","Campaign":"b","ScriptData":{"k":-1e400}}',
      'ScriptData.k: must be a finite number',
    ],
    [
      'a C1 control (CSI) in Campaign',
      '{"Username":"a","Campaign":"b\\u009b2J"}',
      'Campaign: has characters that are not allowed',
    ],
    [
      'a C1 NEL in Reference',
      '{"Username":"a","Campaign":"b","Reference":"r\\u0085"}',
      'Reference: has characters that are not allowed',
    ],
    [
      'a bidi override in Username',
      '{"Username":"a\\u202eb","Campaign":"b"}',
      'Username: has characters that are not allowed',
    ],
    [
      'a line separator in Campaign',
      '{"Username":"a","Campaign":"b\\u2028c"}',
      'Campaign: has characters that are not allowed',
    ],
    [
      'a bidi isolate in Reference',
      '{"Username":"a","Campaign":"b","Reference":"\\u2066x"}',
      'Reference: has characters that are not allowed',
    ],
    ['a body that is not JSON', '{"Username":', 'The body: is not valid JSON'],
    ['an empty body', '', 'The body: is required'],
  ])('refuses %s with 400 InvalidRequest naming the field', async (_, body, detail) => {
    const error = await refusal(() => parse(body));
    expect([error.statusCode, error.code]).toEqual([400, 'InvalidRequest']);
    expect(error.details).toContain(detail);
  });

  it('accepts C1, bidi and separator characters in ScriptData values (the instance escapes them on output)', () => {
    const body = { Username: 'a', Campaign: 'b', ScriptData: { Note: 'x\u009b\u0085\u202e\u2028y' } };
    expect(parse(JSON.stringify(body))).toEqual(body);
  });

  it('names every bad field at once', async () => {
    const error = await refusal(() => parse('{"Campaign":"","ScriptData":{"a":{}},"Nope":true}'));
    expect(error.details).toEqual(
      expect.arrayContaining([
        'Username: is required',
        'Campaign: must not be empty',
        'ScriptData.a: must be a string, number or boolean',
        'Nope: is not a known field',
      ]),
    );
  });

  it('refuses a body over the size limit with 413 PayloadTooLarge', async () => {
    const body = JSON.stringify({ Username: 'a', Campaign: 'b', ScriptData: { big: 'x'.repeat(MAX_POP_BODY_BYTES) } });
    const error = await refusal(() => parse(body));
    expect([error.statusCode, error.code]).toEqual([413, 'PayloadTooLarge']);
  });

  it('treats __proto__ as a plain unknown field, polluting nothing', async () => {
    const error = await refusal(() => parse('{"Username":"a","Campaign":"b","__proto__":{"polluted":true}}'));
    expect(error.details).toContain('__proto__: is not a known field');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
