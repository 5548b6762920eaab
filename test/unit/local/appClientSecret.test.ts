/**
 * The local app client as lib/userPool.ts makes the deployed one: with a secret, server-side sign-in and refresh only.
 * A data folder kept from a start before that has a secret-less client: the next start replaces it (a secret cannot be
 * added to a client), as the deploy replaces the deployed one. Against a real cognito-local with local/cognitoChecks.js.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoLocal, type EmulatorHandle } from '../../../local/emulators';
import { cognitoClient, createUserPool, existingUserPool } from '../../../local/provision';

let emulator: EmulatorHandle;
const dir = mkdtempSync(path.join(os.tmpdir(), 'app-client-'));
beforeAll(async () => {
  emulator = await startCognitoLocal({ port: 0, dir });
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a new pool's client has a secret and allows only ADMIN_USER_PASSWORD_AUTH and refresh", async () => {
  const cognito = cognitoClient(emulator.endpoint, 'us-east-1');
  const pool = await createUserPool(cognito);
  const { UserPoolClient } = await cognito.send(
    new DescribeUserPoolClientCommand({ UserPoolId: pool.userPoolId, ClientId: pool.userPoolClientId }),
  );
  expect(UserPoolClient?.ClientSecret).toEqual(expect.any(String));
  expect(UserPoolClient?.ExplicitAuthFlows).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
});

test('a secret-less client of an earlier start is replaced by one with a secret', async () => {
  const cognito = cognitoClient(emulator.endpoint, 'us-east-1');
  const first = (await existingUserPool(cognito)) ?? (await createUserPool(cognito));
  // GIVEN the pool's client as a start before this change left it: no secret, USER_PASSWORD_AUTH
  const { UserPoolClients } = await cognito.send(
    new ListUserPoolClientsCommand({ UserPoolId: first.userPoolId, MaxResults: 60 }),
  );
  const old = UserPoolClients![0]!;
  await cognito.send(new DeleteUserPoolClientCommand({ UserPoolId: first.userPoolId, ClientId: old.ClientId! }));
  const legacy = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: first.userPoolId,
      ClientName: old.ClientName!,
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  // WHEN the next start looks for its pool
  const again = await existingUserPool(cognito);
  // THEN it has a new client, with a secret, and the old one is gone
  expect(again!.userPoolClientId).not.toBe(legacy.UserPoolClient!.ClientId);
  const after = await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: first.userPoolId, MaxResults: 60 }));
  expect(after.UserPoolClients!.map((client) => client.ClientId)).toEqual([again!.userPoolClientId]);
  const { UserPoolClient } = await cognito.send(
    new DescribeUserPoolClientCommand({ UserPoolId: again!.userPoolId, ClientId: again!.userPoolClientId }),
  );
  expect(UserPoolClient?.ClientSecret).toEqual(expect.any(String));
});
