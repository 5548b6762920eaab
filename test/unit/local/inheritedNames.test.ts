/**
 * Maps keyed by outside input do not inherit from Object.prototype: a header, query parameter or ScriptData key named
 * `toString`, `constructor` or `__proto__` is a name like any other (issue 25, item 1: the gateway answered 500).
 */
import type { IncomingMessage } from 'http';
import type { CatalogueCampaign } from '../../../contract/catalogue';
import { scriptDataProblems, scriptDataSchema } from '../../../lambdas/catalogue/campaignChecks';
import { headerMaps, queryMaps } from '../../../local/gateway/headers';
import { parseProxyResult } from '../../../local/gateway/proxyResult';
import { mapScriptData } from '../../../instance/desktop';

const INHERITED = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];

const requestWith = (rawHeaders: string[]): IncomingMessage =>
  ({ rawHeaders, headers: {}, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;

describe('maps keyed by outside names', () => {
  it.each(INHERITED)('a header named %s is kept as sent, every value in order', (name) => {
    const { headers, multiValueHeaders } = headerMaps(requestWith([name, 'a', name.toUpperCase(), 'b']), {});
    expect(Object.keys(headers)).toEqual([name]);
    expect(headers[name]).toBe('b');
    expect(multiValueHeaders[name]).toEqual(['a', 'b']);
  });

  it.each(INHERITED)('a query parameter named %s is kept as sent, every value in order', (name) => {
    const maps = queryMaps(new URL(`http://h/p?${encodeURIComponent(name)}=1&${encodeURIComponent(name)}=2`));
    expect(Object.keys(maps.queryStringParameters ?? {})).toEqual([name]);
    expect(maps.queryStringParameters?.[name]).toBe('2');
    expect(maps.multiValueQueryStringParameters?.[name]).toEqual(['1', '2']);
  });

  it('a query with only an inherited name is not taken for an empty query', () => {
    const maps = queryMaps(new URL('http://h/p?__proto__=x'));
    expect(maps.queryStringParameters).not.toBeNull();
  });

  it.each(INHERITED)('a handler header named %s is kept', (name) => {
    const parsed = parseProxyResult(
      JSON.parse(`{"statusCode":200,"headers":{"${name}":"v"},"multiValueHeaders":{"${name}":["w"]}}`),
    );
    expect(parsed.headers[name]).toBe('v');
    expect(parsed.multiValueHeaders[name]).toEqual(['w']);
  });

  it.each(INHERITED)('a ScriptData key named %s reaches the Desktop field of that name', (name) => {
    const scriptData = JSON.parse(`{"${name}":"x","var_${name}":"y"}`) as Record<string, string>;
    const mapped = mapScriptData({ type: 'internal', externalLinks: {} } as never, scriptData);
    expect(Object.keys(mapped.fields)).toEqual([name]);
    expect(mapped.fields[name]).toBe('x');
    expect(Object.keys(mapped.variables)).toEqual([name]);
  });
});

describe('the published ScriptData schema (item 9)', () => {
  it.each(INHERITED)('a campaign link named %s is a property of the schema, required as sent', (name) => {
    const campaign: CatalogueCampaign = {
      Name: 'Odd',
      Active: true,
      Type: 'external',
      AllowRecordCreation: true,
      Workflow: 'W',
      ExternalLinks: [{ Name: name, Fills: 'Field', Target: 'T', Type: 'string', Required: true }],
    };
    const published = JSON.parse(JSON.stringify(scriptDataSchema(campaign))) as {
      properties: object;
      required: string[];
    };
    expect(Object.keys(published.properties)).toEqual([name]);
    expect(published.required).toEqual([name]);
    const sent = JSON.parse(`{"${name}":"x"}`) as Record<string, string>;
    expect(scriptDataProblems(campaign, sent)).toEqual([]);
  });
});
