/**
 * Provisions the emulators as the CDK stack provisions AWS: the user pool (immutable custom `tenant`, admin-created
 * users only), its app client (with a secret; ADMIN_USER_PASSWORD_AUTH + REFRESH_TOKEN_AUTH), the two role groups, and the
 * table; then seeds the demo tenant with one api-caller and one Scripting instance user.
 */
import {
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateUserPoolClientCommand,
  UsernameExistsException,
  type UpdateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PASSWORD_POLICY, ROLE_GROUPS, TENANT_ATTRIBUTE } from '../lambdas/shared/identity';
import { TABLE_KEYS } from '../lambdas/store/tableSchema';
import { generatePassword } from '../provisioning/password';
import { createTenantUser } from '../provisioning/tenantUsers';

/** Emulators accept any credentials; the SDK only needs some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export function cognitoClient(endpoint: string, region: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
}

export function dynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
}

export interface UserPoolOptions {
  /** IdToken and AccessToken validity. @default 60 (Cognito allows 5 to 1440; the emulator honours any value) */
  readonly idTokenValidityMinutes?: number;
}

export interface ProvisionedUserPool {
  readonly userPoolId: string;
  readonly userPoolClientId: string;
}

const POOL_NAME = 'remote-pop-local';
const CLIENT_NAME = 'remote-pop-api';

/** The app client's token settings (the deployed client's, with the local validity). */
function clientTokenSettings(
  options: UserPoolOptions,
): Omit<UpdateUserPoolClientCommandInput, 'UserPoolId' | 'ClientId'> {
  const validity = options.idTokenValidityMinutes ?? 60;
  return {
    // As lib/userPool.ts: server-side sign-in only (the auth functions' AdminInitiateAuth), no USER_PASSWORD_AUTH.
    ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    IdTokenValidity: validity,
    AccessTokenValidity: validity,
    RefreshTokenValidity: 30,
    TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'days' },
    PreventUserExistenceErrors: 'ENABLED',
  };
}

/**
 * The pool and app client an earlier start created in the same cognito-local state (a data folder kept across
 * restarts), with the client's token validity brought to this start's setting; undefined when there is none.
 */
export async function existingUserPool(
  cognito: CognitoIdentityProviderClient,
  options: UserPoolOptions = {},
): Promise<ProvisionedUserPool | undefined> {
  const pools = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  const userPoolId = pools.UserPools?.find((pool) => pool.Name === POOL_NAME)?.Id;
  if (!userPoolId) return undefined;
  const clients = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  const userPoolClientId = clients.UserPoolClients?.find((client) => client.ClientName === CLIENT_NAME)?.ClientId;
  if (!userPoolClientId) return undefined;
  const described = await cognito.send(
    new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: userPoolClientId }),
  );
  if (!described.UserPoolClient?.ClientSecret) {
    // A client of a start before sign-in moved behind the API: replaced, as CloudFormation replaces the deployed one
    // (a secret cannot be added to a client); its refresh tokens end with it, as in AWS.
    await cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: userPoolClientId }));
    return { userPoolId, userPoolClientId: await createAppClient(cognito, userPoolId, options) };
  }
  await cognito.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientId: userPoolClientId,
      ClientName: CLIENT_NAME,
      ...clientTokenSettings(options),
    }),
  );
  return { userPoolId, userPoolClientId };
}

export async function createUserPool(
  cognito: CognitoIdentityProviderClient,
  options: UserPoolOptions = {},
): Promise<ProvisionedUserPool> {
  const pool = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: POOL_NAME,
      Schema: [{ Name: TENANT_ATTRIBUTE, AttributeDataType: 'String', Mutable: false }],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      // The deployed pool's policy, so the provisioning CLI and the seeding are held to the same rules as in AWS.
      Policies: {
        PasswordPolicy: {
          MinimumLength: PASSWORD_POLICY.minLength,
          RequireLowercase: PASSWORD_POLICY.requireLowercase,
          RequireUppercase: PASSWORD_POLICY.requireUppercase,
          RequireNumbers: PASSWORD_POLICY.requireDigits,
          RequireSymbols: PASSWORD_POLICY.requireSymbols,
          TemporaryPasswordValidityDays: PASSWORD_POLICY.tempPasswordValidityDays,
        },
      },
    }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new Error('CreateUserPool returned no pool id');
  const userPoolClientId = await createAppClient(cognito, userPoolId, options);
  for (const group of ROLE_GROUPS) {
    await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  }
  return { userPoolId, userPoolClientId };
}

/** The API's app client, with a secret as in AWS (cognito-local generates one; local/cognitoChecks.js checks it). */
async function createAppClient(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  options: UserPoolOptions,
): Promise<string> {
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: CLIENT_NAME,
      GenerateSecret: true,
      ...clientTokenSettings(options),
    }),
  );
  const userPoolClientId = client.UserPoolClient?.ClientId;
  if (!userPoolClientId) throw new Error('CreateUserPoolClient returned no client id');
  return userPoolClientId;
}

/**
 * The table of lambdas/store/tableSchema.ts, on demand, with the ByConnection index.
 * TTL on `ExpiresAt` is not enabled: dynalite has no UpdateTimeToLive (items never expire locally; read paths
 * ignore expired items anyway, as they must in AWS where TTL deletion lags).
 */
export async function createTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, byConnectionIndex: index } = TABLE_KEYS;
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, index.partitionKey, index.sortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}

export interface DemoCredentials {
  readonly tenant: string;
  readonly api: { readonly username: string; readonly password: string };
  readonly instance: { readonly username: string; readonly password: string };
}

export const DEMO_TENANT = 'demo';

/**
 * The demo tenant: `demo-api` (api-callers) and `demo-instance` (scripting-instances), fresh passwords per run from
 * the provisioning CLI's generator (users kept in a data folder from an earlier start get the new ones).
 */
export async function seedDemoTenant(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<DemoCredentials> {
  const demo: DemoCredentials = {
    tenant: DEMO_TENANT,
    api: { username: 'demo-api', password: generatePassword() },
    instance: { username: 'demo-instance', password: generatePassword() },
  };
  await createOrResetUser(cognito, userPoolId, { tenant: demo.tenant, role: 'api', ...demo.api });
  await createOrResetUser(cognito, userPoolId, { tenant: demo.tenant, role: 'instance', ...demo.instance });
  return demo;
}

/** A demo user kept from an earlier start (the data folder) keeps its tenant and group and gets this start's password. */
async function createOrResetUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  user: Parameters<typeof createTenantUser>[2],
): Promise<void> {
  try {
    await createTenantUser(cognito, userPoolId, user);
  } catch (error) {
    if (!(error instanceof UsernameExistsException || (error as Error).name === 'UsernameExistsException')) throw error;
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        Password: user.password,
        Permanent: true,
      }),
    );
  }
}
