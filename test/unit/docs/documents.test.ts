/** docs/openapi.json and docs/asyncapi.json are what docs/generate.ts writes, from the contract and nothing else. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_MESSAGES,
  ERROR_STATUS,
  INSTANCE_MESSAGES,
  REST_OPERATIONS,
  WEBSOCKET_ERROR_CODES,
  WebhookDeliveryHeaders,
  WebhookPayload,
} from '../../../contract';
import { REST_ROUTES } from '../../../lambdas/apiRoutes';
import { DOCUMENTS } from '../../../docs/generate';
import { documentText, plainSchema } from '../../../docs/jsonSchema';

const DOCS = join(__dirname, '../../../docs');
const committed = (file: string) => readFileSync(join(DOCS, file), 'utf8');
const openApi = JSON.parse(committed('openapi.json'));
const asyncApi = JSON.parse(committed('asyncapi.json'));

describe('the committed documents', () => {
  it.each(Object.keys(DOCUMENTS))('docs/%s is what the generator writes (run `npm run docs`)', (file) => {
    // GIVEN the generator  WHEN it builds the document  THEN the committed file is byte for byte its output
    expect(committed(file)).toBe(documentText(DOCUMENTS[file]!()));
  });
});

describe('docs/openapi.json', () => {
  it('describes every route of the route table under its handler name', () => {
    for (const route of REST_ROUTES) {
      expect(openApi.paths[route.resource]?.[route.method.toLowerCase()]?.operationId).toBe(route.handler);
    }
  });

  it('lists, per operation, the success and every refusal of the contract with its codes', () => {
    for (const [id, operation] of Object.entries(REST_OPERATIONS)) {
      const responses = openApi.paths[operation.path][operation.method.toLowerCase()].responses;
      const statuses = Object.keys(operation.refusals).concat(String(operation.success.status));
      expect(Object.keys(responses).sort()).toEqual(statuses.sort());
      for (const [status, refusal] of Object.entries(operation.refusals)) {
        const codes =
          responses[status].content['application/json'].schema.allOf[1].properties.Error.properties.Code.enum;
        expect({ id, status, codes }).toEqual({ id, status, codes: refusal!.codes });
        for (const code of refusal!.codes) {
          // DEFAULT_5XX's InternalError keeps the status API Gateway chose (502 failed function, 504 timeout).
          const expected = code === 'InternalError' && Number(status) >= 500 ? Number(status) : ERROR_STATUS[code];
          expect([id, code, Number(status)]).toEqual([id, code, expected]);
        }
      }
    }
  });

  it('embeds the contract schemas unchanged, with no TypeBox-only key', () => {
    for (const operation of Object.values(REST_OPERATIONS)) {
      if (operation.body)
        expect(openApi.components.schemas[operation.body.name]).toEqual(plainSchema(operation.body.schema));
      expect(openApi.components.schemas[operation.success.name]).toEqual(plainSchema(operation.success.result));
    }
    expect(committed('openapi.json')).not.toMatch(/"\$id"|"\[Kind\]"|"Kind"/);
  });

  it('says who may call each operation; /auth/refresh explicitly nobody by scheme', () => {
    expect(openApi.paths['/auth'].get.security).toEqual([{ basic: [] }]);
    expect(openApi.paths['/auth/refresh'].post.security).toEqual([]);
    expect(openApi.paths['/pop'].post.security).toEqual([{ idToken: [] }]);
    expect(openApi.servers[0].url).toBe('http://127.0.0.1:3000/v1');
  });
});

describe('docs/asyncapi.json', () => {
  it('holds every message of both directions as the contract defines it', () => {
    const messages = asyncApi.channels.instance.messages;
    for (const [name, schema] of Object.entries({ ...INSTANCE_MESSAGES, ...API_MESSAGES })) {
      expect(messages[name].payload).toEqual(plainSchema(schema));
    }
    expect(messages.Error.payload.properties.Code.enum).toEqual([...WEBSOCKET_ERROR_CODES]);
  });

  it('has the instance send the Action messages and receive the Type messages', () => {
    const actions = Object.values(
      asyncApi.operations as Record<
        string,
        { action: string; channel: { $ref: string }; messages: { $ref: string }[] }
      >,
    )
      .filter((operation) => operation.channel.$ref === '#/channels/instance')
      .map((operation) => `${operation.action} ${operation.messages[0]!.$ref.split('/').pop()}`)
      .sort();
    const expected = [
      ...Object.keys(INSTANCE_MESSAGES).map((name) => `send ${name}`),
      ...Object.keys(API_MESSAGES).map((name) => `receive ${name}`),
    ].sort();
    expect(actions).toEqual(expected);
  });

  it('holds the webhook delivery as the contract defines it: its payload, its Standard Webhooks headers, POSTed to the endpoint', () => {
    const channel = asyncApi.channels.webhookDeliveries;
    expect(channel.servers).toEqual([{ $ref: '#/servers/webhookReceiver' }]);
    expect(channel.messages.WebhookDelivery.payload).toEqual(plainSchema(WebhookPayload));
    expect(channel.messages.WebhookDelivery.headers).toEqual(plainSchema(WebhookDeliveryHeaders));
    expect(channel.messages.WebhookDelivery.headers.required).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
    expect(asyncApi.operations.receiveWebhookDelivery).toMatchObject({
      action: 'receive',
      bindings: { http: { method: 'POST' } },
    });
    expect(asyncApi.operations.receiveWebhookDelivery.description).toContain(
      '5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h',
    );
    // The OpenAPI webhook takes its headers from the same contract schema.
    expect(
      openApi.webhooks.popEvent.post.parameters.map((p: { name: string; schema: { pattern: string } }) => [
        p.name,
        p.schema.pattern,
      ]),
    ).toEqual(Object.entries(WebhookDeliveryHeaders.properties).map(([name, schema]) => [name, schema.pattern]));
  });
});
