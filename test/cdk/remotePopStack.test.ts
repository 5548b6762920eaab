import { Match } from 'aws-cdk-lib/assertions';
import { HANDLER_NEEDS, REST_ROUTES, WEBSOCKET_ROUTES, type HandlerName } from '../../lambdas/apiRoutes';
import { GATEWAY_ANSWERS, gatewayAnswerTemplate, type GatewayAnswer } from '../../lambdas/edge/gatewayResponses';
import { API_CALLERS_GROUP, SCRIPTING_INSTANCES_GROUP } from '../../lambdas/shared/identity';
import Ajv04 from 'ajv-draft-04';
import { REST_OPERATIONS } from '../../contract/operations';
import { METRICS_NAMESPACE_ENV } from '../../lambdas/shared/metrics';
import { ENV } from '../../lambdas/shared/settings';
import { OUTPUT_KEYS } from '../../lib/remotePopStack';
import { STREAM_RETRY_ATTEMPTS } from '../../lib/streamMapping';
import { actionsOf, logicalId, statementsByRole, synthStack } from './support';

// One synth for the whole file (about 2 s): every test below only reads it.
// GIVEN the stack with default settings
const { stack, template } = synthStack();
const functionId = (name: HandlerName): string => logicalId(stack.functions.byHandler[name]);
const roleId = (name: HandlerName): string => logicalId(stack.functions.byHandler[name].executionRole);
const handlerNames = Object.keys(HANDLER_NEEDS) as HandlerName[];

/** The keywords of JSON Schema draft-04 (json-schema.org/draft-04/schema), the only draft API Gateway models accept. */
const DRAFT_04_KEYWORDS = new Set([
  '$schema',
  'id',
  '$ref',
  'title',
  'description',
  'default',
  'format',
  'type',
  'enum',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'items',
  'additionalItems',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'properties',
  'patternProperties',
  'additionalProperties',
  'dependencies',
  'definitions',
]);

/** Every keyword of `schema` and its subschemas that draft-04 lacks (numeric exclusive bounds are draft-06). */
function keywordsOutsideDraft04(schema: Record<string, unknown>, path = '#'): string[] {
  const found = Object.keys(schema)
    .filter((key) => !DRAFT_04_KEYWORDS.has(key) || (key.startsWith('exclusiveM') && typeof schema[key] !== 'boolean'))
    .map((key) => `${path}/${key}`);
  const sub = (value: unknown, at: string): string[] =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? keywordsOutsideDraft04(value as Record<string, unknown>, at)
      : [];
  for (const key of ['properties', 'patternProperties', 'definitions', 'dependencies']) {
    for (const [name, value] of Object.entries((schema[key] ?? {}) as Record<string, unknown>))
      found.push(...sub(value, `${path}/${key}/${name}`));
  }
  for (const key of ['additionalProperties', 'additionalItems', 'not', 'items'])
    found.push(...sub(schema[key], `${path}/${key}`));
  for (const key of ['allOf', 'anyOf', 'oneOf', 'items']) {
    if (Array.isArray(schema[key]))
      (schema[key] as unknown[]).forEach((value, n) => found.push(...sub(value, `${path}/${key}/${n}`)));
  }
  return found;
}

describe('identity', () => {
  test('the user pool: no self sign-up, immutable tenant attribute, strong passwords, Plus tier', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'tenant', AttributeDataType: 'String', Mutable: false })]),
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      UserPoolTier: 'PLUS',
    });
  });

  test('the two role groups exist', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 2);
    for (const group of [API_CALLERS_GROUP, SCRIPTING_INSTANCES_GROUP]) {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: group,
        UserPoolId: { Ref: logicalId(stack.identity.userPool) },
      });
    }
  });

  test('the app client: server-side sign-in and refresh only, a secret, no user existence errors, token validity', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    const client = Object.values(clients)[0].Properties;
    // No ALLOW_USER_PASSWORD_AUTH or ALLOW_USER_SRP_AUTH: nobody signs in at Cognito directly (docs/edge.md).
    expect([...client.ExplicitAuthFlows].sort()).toEqual([
      'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
    expect(client).toMatchObject({
      GenerateSecret: true,
      PreventUserExistenceErrors: 'ENABLED',
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes' },
    });
  });
});

describe('storage', () => {
  test('one on-demand table with PK/SK, the ByConnection GSI, TTL, PITR and AWS-managed encryption', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ExpiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByConnection',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'GSI1PK', AttributeType: 'S' },
        { AttributeName: 'GSI1SK', AttributeType: 'S' },
      ]),
    });
  });
});

describe('functions', () => {
  test('one function per handler, Node.js 24 on arm64, ESM bundle entry, X-Ray, source maps', () => {
    template.resourceCountIs('AWS::Lambda::Function', handlerNames.length);
    for (const name of handlerNames) {
      const fn = template.toJSON().Resources[functionId(name)];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
        LoggingConfig: { LogGroup: { Ref: logicalId(stack.functions.byHandler[name].functionLogGroup) } },
      });
    }
  });

  test('memory per function as docs/deploy.md chose it: pop 1024 MB, every other 256 MB', () => {
    const chosen: Partial<Record<HandlerName, number>> = { pop: 1024 };
    for (const name of handlerNames) {
      const memory = template.toJSON().Resources[functionId(name)].Properties.MemorySize;
      expect({ name, memory }).toEqual({ name, memory: chosen[name] ?? 256 });
    }
  });

  test('each function has exactly the environment HANDLER_NEEDS asks for', () => {
    for (const name of handlerNames) {
      const needs = HANDLER_NEEDS[name];
      const expected = ['NODE_OPTIONS', METRICS_NAMESPACE_ENV];
      if (needs.table) expected.push(ENV.tableName);
      if (needs.userPool) expected.push(ENV.userPoolId, ENV.userPoolClientId);
      if (needs.claimSettings) expected.push(ENV.claimWindowSeconds, ENV.popRetentionDays);
      if (needs.manageConnections || needs.probeConnections) expected.push(ENV.connectionsEndpoint);
      if (needs.webhookQueue) expected.push(ENV.webhookQueueUrl);
      if (needs.holdQueue) expected.push(ENV.holdQueueUrl);
      if (needs.webhookKey) expected.push(ENV.webhookKeyId);
      const variables = template.toJSON().Resources[functionId(name)].Properties.Environment.Variables;
      expect({ name, keys: Object.keys(variables).sort() }).toEqual({ name, keys: expected.sort() });
    }
  });

  test("environment values point at this stack's resources and settings", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: logicalId(stack.storage.table) },
          CLAIM_WINDOW_SECONDS: '60',
          POP_RETENTION_DAYS: '3',
          POWERTOOLS_METRICS_NAMESPACE: 'RemotePop/RemotePop',
          CONNECTIONS_ENDPOINT: {
            'Fn::Join': [
              '',
              [
                'https://',
                { Ref: logicalId(stack.webSocketApi.api) },
                Match.anyValue(),
                Match.anyValue(),
                Match.anyValue(),
                Match.anyValue(),
                '/v1',
              ],
            ],
          },
        }),
      },
    });
    const authToken = template.toJSON().Resources[functionId('authToken')].Properties.Environment.Variables;
    expect(authToken).toMatchObject({
      USER_POOL_ID: { Ref: logicalId(stack.identity.userPool) },
      USER_POOL_CLIENT_ID: { Ref: logicalId(stack.identity.userPoolClient) },
    });
  });

  test('log groups carry the retention setting; no reserved concurrency unless set', () => {
    for (const name of handlerNames) {
      const fn = stack.functions.byHandler[name];
      expect(template.toJSON().Resources[logicalId(fn.functionLogGroup)].Properties.RetentionInDays).toBe(30);
      expect(template.toJSON().Resources[functionId(name)].Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });
});

describe('least privilege', () => {
  const byRole = statementsByRole(template);

  test('no execution role has an AWS managed policy', () => {
    for (const name of handlerNames) {
      expect(template.toJSON().Resources[roleId(name)].Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test("only functions with manageConnections may call execute-api:ManageConnections, on this API's stage only", () => {
    const holders = [...byRole].filter(([, statements]) =>
      statements.some((s) => actionsOf(s).some((a) => a.startsWith('execute-api:'))),
    );
    const expected = handlerNames.filter((name) => HANDLER_NEEDS[name].manageConnections).map(roleId);
    // GetConnection only (issue 25, item 4): the dry run and the catalogue count connections a push would reach.
    const probing = handlerNames.filter((name) => HANDLER_NEEDS[name].probeConnections).map(roleId);
    expect(holders.map(([role]) => role).sort()).toEqual([...expected, ...probing].sort());
    // The functions that push to instances: POST /pop (the Pop), DELETE /pops/{PopId} (the Recall), and Desktop and
    // Login (the pops held for the agent they report, lambdas/pops/heldPops.ts).
    expect(expected.sort()).toEqual(
      [roleId('pop'), roleId('popRecall'), roleId('wsDesktop'), roleId('wsLogin')].sort(),
    );

    const statement = holders
      .find(([role]) => role === roleId('pop'))![1]
      .find((s) => actionsOf(s).includes('execute-api:ManageConnections'))!;
    expect(actionsOf(statement)).toEqual(['execute-api:ManageConnections']);
    expect(statement.Resource).not.toEqual('*');
    expect(JSON.stringify(statement.Resource)).toContain(`{"Ref":"${logicalId(stack.webSocketApi.api)}"}`);
    expect(JSON.stringify(statement.Resource)).toContain('/v1/POST/@connections/*');
  });

  test('cognito-idp actions (sign-in, the client secret, AdminGetUser) only for the auth functions, on the pool ARN', () => {
    const expected = handlerNames.filter((name) => HANDLER_NEEDS[name].cognito?.includes('AdminGetUser'));
    expect(expected.sort()).toEqual(['authRefresh', 'authToken']);
    for (const name of handlerNames) {
      const cognitoStatements = (byRole.get(roleId(name)) ?? []).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('cognito-idp:')),
      );
      if (expected.includes(name)) {
        expect(cognitoStatements).toEqual([
          {
            Effect: 'Allow',
            Action: ['cognito-idp:AdminInitiateAuth', 'cognito-idp:AdminGetUser', 'cognito-idp:DescribeUserPoolClient'],
            Resource: { 'Fn::GetAtt': [logicalId(stack.identity.userPool), 'Arn'] },
          },
        ]);
      } else {
        expect({ name, cognitoStatements }).toEqual({ name, cognitoStatements: [] });
      }
    }
  });

  test('table access matches HANDLER_NEEDS: none, or exactly its actions (test/cdk/leastPrivilege.test.ts)', () => {
    for (const name of handlerNames) {
      const actions = (byRole.get(roleId(name)) ?? []).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
      const need = HANDLER_NEEDS[name].table;
      if (!need) expect({ name, actions }).toEqual({ name, actions: [] });
      else expect(actions).toEqual(expect.arrayContaining(need.map((a) => `dynamodb:${a}`)));
    }
  });

  test('the only "*" resources are X-Ray\'s and the stream function\'s ListStreams, which have no resource-level permissions', () => {
    for (const statements of byRole.values()) {
      for (const statement of statements.filter((s) => JSON.stringify(s.Resource).includes('"*"'))) {
        const actions = actionsOf(statement).sort();
        // dynamodb:ListStreams cannot name a stream (the event source mapping of lib/functions.ts lists them).
        if (actions.includes('dynamodb:ListStreams')) expect(actions).toEqual(['dynamodb:ListStreams']);
        else expect(actions).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
    }
  });

  test('the table streams both images into the event feed function, filtered to pop items', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // Bounded, then the on-failure queue (test/cdk/eventPipeline.test.ts).
      MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { SK: { S: ['POP'] } } } }) },
        ],
      },
    });
  });
});

describe('REST API', () => {
  test('every body reaches the Lambda as the bytes sent (binary media types */*), so invalid UTF-8 is refused, not rewritten', () => {
    // GIVEN the stack WHEN its REST API is read THEN it declares every media type binary: API Gateway then hands the
    // proxy integration the body base64-encoded as received, and the handler's strict UTF-8 check answers 400.
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
  });

  test('stage: name, tracing, throttling, ERROR execution logs without data trace, JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      // Beside the /auth routes' own lower limit (test/cdk/edge.test.ts).
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ]),
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    const format: string = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0].Properties
      .AccessLogSetting.Format;
    const sample = JSON.parse(format.replace(/\$context\.error\.messageString/, '"x"'));
    expect(sample).toMatchObject({ status: '$context.status', resourcePath: '$context.resourcePath' });
    expect(format).not.toMatch(/Authorization|header/i);
  });

  test('the execution log group exists before the stage, with the retention setting', () => {
    const stageId = logicalId(stack.restApi.api.deploymentStage);
    const [logGroupId, logGroup] = Object.entries(template.findResources('AWS::Logs::LogGroup')).find(([, r]) =>
      JSON.stringify(r.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
    )!;
    expect(logGroup.Properties).toMatchObject({
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: logicalId(stack.restApi.api) }, '/v1']] },
      RetentionInDays: 30,
    });
    expect(template.toJSON().Resources[stageId].DependsOn).toContain(logGroupId);
  });

  test('every route of REST_ROUTES, proxied to its function, with the Lambda authorizer and an API key where auth is cognito', () => {
    template.resourceCountIs('AWS::ApiGateway::Method', REST_ROUTES.length);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(JSON.stringify(template.findResources('AWS::ApiGateway::Authorizer'))).toContain(
      functionId('restAuthorizer'),
    );
    // Usage plans take the key the authorizer names; the default plan throttles each tenant on the stage.
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      ApiStages: [
        { ApiId: { Ref: logicalId(stack.restApi.api) }, Stage: { Ref: logicalId(stack.restApi.api.deploymentStage) } },
      ],
    });
    for (const route of REST_ROUTES) {
      const method = stack.restApi.methods[route.handler]!;
      expect(method.resource.path).toBe(route.resource);
      const properties = template.toJSON().Resources[logicalId(method)].Properties;
      expect(properties).toMatchObject({
        HttpMethod: route.method,
        AuthorizationType: route.auth === 'cognito' ? 'CUSTOM' : 'NONE',
        RequestValidatorId: {
          Ref: logicalId(
            stack.restApi.models[route.handler] ? stack.restApi.parametersValidator : stack.restApi.requestValidator,
          ),
        },
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      expect(JSON.stringify(properties.Integration.Uri)).toContain(`"${functionId(route.handler)}"`);
      if (route.auth === 'cognito') {
        expect(properties.AuthorizerId).toEqual({ Ref: logicalId(stack.restApi.authorizer) });
        expect(properties.ApiKeyRequired).toBe(true);
      } else {
        expect(properties.AuthorizerId).toBeUndefined();
        expect(properties.ApiKeyRequired).not.toBe(true);
      }
    }
  });

  test("body models are the contract's schemas the Lambdas validate with (drift test), documented on POST /pop, POST /auth/refresh and POST /webhooks", () => {
    // THEN exactly three draft-04 models, each equal to its contract schema (as plain JSON) plus the $schema tag
    const models = template.findResources('AWS::ApiGateway::Model');
    expect(Object.keys(models)).toHaveLength(3);
    const expected = {
      pop: ['PopRequest', REST_OPERATIONS.pop.body!.schema],
      authRefresh: ['RefreshRequest', REST_OPERATIONS.authRefresh.body!.schema],
      webhookCreate: ['WebhookRequest', REST_OPERATIONS.webhookCreate.body!.schema],
    } as const;
    expect(Object.fromEntries(Object.entries(expected).map(([handler, [name]]) => [handler, name]))).toEqual({
      pop: REST_OPERATIONS.pop.body!.name,
      authRefresh: REST_OPERATIONS.authRefresh.body!.name,
      webhookCreate: REST_OPERATIONS.webhookCreate.body!.name,
    });
    for (const [handler, [name, schema]] of Object.entries(expected)) {
      const model = stack.restApi.models[handler as HandlerName]!;
      const properties = template.toJSON().Resources[logicalId(model)].Properties;
      expect(properties).toMatchObject({
        Name: name,
        ContentType: 'application/json',
        RestApiId: { Ref: logicalId(stack.restApi.api) },
      });
      expect(properties.Schema).toEqual({
        $schema: 'http://json-schema.org/draft-04/schema#',
        ...JSON.parse(JSON.stringify(schema)),
      });
      // AND it is a valid draft-04 schema (API Gateway's version) that uses no keyword of a later draft
      expect(() => new Ajv04({ strict: true, allowUnionTypes: true }).compile(properties.Schema)).not.toThrow();
      expect(keywordsOutsideDraft04(properties.Schema)).toEqual([]);
      // AND the method carries it, with a validator that leaves the body to the Lambda, whose refusals name each
      // bad field in Error.Details (API Gateway's validator would answer every mismatch with one generic message)
      const method = template.toJSON().Resources[logicalId(stack.restApi.methods[handler as HandlerName]!)].Properties;
      expect(method.RequestModels).toEqual({ 'application/json': { Ref: logicalId(model) } });
      expect(method.RequestValidatorId).toEqual({ Ref: logicalId(stack.restApi.parametersValidator) });
    }
    const validators = template.toJSON().Resources;
    expect(validators[logicalId(stack.restApi.parametersValidator)].Properties).toMatchObject({
      ValidateRequestBody: false,
      ValidateRequestParameters: true,
    });
    expect(validators[logicalId(stack.restApi.requestValidator)].Properties).toMatchObject({
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    // AND should API Gateway refuse a body anyway, the answer is in the envelope (BAD_REQUEST_BODY, 400 InvalidRequest)
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
    });
  });

  test('no WAF web ACL and no custom domain unless set', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  });

  test('a Gateway Response per GATEWAY_ANSWERS entry, in the envelope, as application/json', () => {
    const answers: GatewayAnswer[] = Object.values(GATEWAY_ANSWERS);
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', answers.length);
    for (const answer of answers) {
      const headers = Object.fromEntries(
        Object.entries(answer.headers ?? {}).map(([name, value]) => [`gatewayresponse.header.${name}`, `'${value}'`]),
      );
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: answer.type,
        StatusCode: answer.statusCode !== undefined ? String(answer.statusCode) : Match.absent(),
        ResponseParameters: headers,
        ResponseTemplates: { 'application/json': gatewayAnswerTemplate(answer) },
      });
      expect(JSON.parse(gatewayAnswerTemplate(answer))).toMatchObject({
        Success: false,
        Result: null,
        RequestId: '$context.requestId',
        Error: { Code: answer.code, Message: answer.message },
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: {},
    });
  });
});

describe('WebSocket API', () => {
  test('route selection on the Action field', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.Action',
    });
  });

  test('the REQUEST authorizer on $connect reads the Authorization header and runs wsAuthorizer', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.header.Authorization'],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [functionId('wsAuthorizer'), 'Arn'] }])],
      }),
    });
  });

  test('every route of WEBSOCKET_ROUTES, to its function, authorised on $connect only, two-way as listed', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', WEBSOCKET_ROUTES.length);
    template.resourceCountIs(
      'AWS::ApiGatewayV2::RouteResponse',
      WEBSOCKET_ROUTES.filter((r) => r.returnResponse).length,
    );
    const resources = template.toJSON().Resources;
    for (const route of WEBSOCKET_ROUTES) {
      const properties = resources[logicalId(stack.webSocketApi.routes[route.routeKey])].Properties;
      expect(properties.RouteKey).toBe(route.routeKey);
      if (route.routeKey === '$connect') {
        const [authorizerId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
        expect(properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      } else {
        expect(properties.AuthorizationType).toBe('NONE');
        expect(properties.AuthorizerId).toBeUndefined();
      }
      expect(properties.RouteResponseSelectionExpression).toBe(route.returnResponse ? '$default' : undefined);
      const integrationId: string = properties.Target['Fn::Join'][1][1].Ref;
      expect(JSON.stringify(resources[integrationId].Properties.IntegrationUri)).toContain(
        `"${functionId(route.handler)}"`,
      );
    }
  });

  test('one auto-deployed stage with throttling and JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'v1',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"connectionId":"\\$context.connectionId"'),
      },
    });
  });
});

describe('outputs', () => {
  test('exactly the keys the local stack writes too', () => {
    // DefaultUsagePlanId too: the local stack writes it only when started with a tenant throttle.
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([...OUTPUT_KEYS, 'DefaultUsagePlanId'].sort());
    template.hasOutput('RestApiId', { Value: { Ref: logicalId(stack.restApi.api) } });
    template.hasOutput('DefaultUsagePlanId', { Value: { Ref: logicalId(stack.restApi.defaultUsagePlan) } });
    template.hasOutput('UserPoolId', { Value: { Ref: logicalId(stack.identity.userPool) } });
    template.hasOutput('TableName', { Value: { Ref: logicalId(stack.storage.table) } });
    template.hasOutput('Region', { Value: { Ref: 'AWS::Region' } });
    template.hasOutput('WebSocketUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['wss://', { Ref: logicalId(stack.webSocketApi.api) }, '/v1'])] },
    });
    template.hasOutput('RestApiUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: logicalId(stack.restApi.api) }])] },
    });
    const restParts: unknown[] = template.toJSON().Outputs.RestApiUrl.Value['Fn::Join'][1];
    expect(restParts[restParts.length - 1]).toEqual({ Ref: logicalId(stack.restApi.api.deploymentStage) });
  });
});
