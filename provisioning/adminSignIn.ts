/**
 * Server-side sign-in straight at the user pool, as the auth functions do it (lambdas/auth/tokenIssuer.ts): the app
 * client allows only ADMIN_USER_PASSWORD_AUTH and refresh, with its secret. For operators' and tests' credentials
 * (AWS: cognito-idp:AdminInitiateAuth and DescribeUserPoolClient on the pool); integrators sign in with GET /auth.
 */
import {
  AdminInitiateAuthCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { readClientSecret, secretHash, type AppClient } from '../lambdas/auth/appClient';

export async function adminSignIn(
  cognito: CognitoIdentityProviderClient,
  client: AppClient,
  username: string,
  password: string,
): Promise<AuthenticationResultType> {
  const secret = await readClientSecret(cognito, client);
  const answer = await cognito.send(
    new AdminInitiateAuthCommand({
      UserPoolId: client.userPoolId,
      ClientId: client.clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: {
        USERNAME: username,
        PASSWORD: password,
        SECRET_HASH: secretHash(secret, username, client.clientId),
      },
    }),
  );
  if (!answer.AuthenticationResult?.IdToken) throw new Error('AdminInitiateAuth returned no tokens');
  return answer.AuthenticationResult;
}
