/**
 * Sign-in only through the API (docs/edge.md): the app client has a secret and allows only server-side sign-in and
 * refresh, its id is no stack output, threat protection acts in prod, and only the auth functions may read the secret.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { actionsOf, logicalId, statementsByRole, synthStack } from './support';

const dev = synthStack();
const prod = synthStack({ environment: 'prod' });

test.each([
  ['dev', 'AUDIT', dev],
  ['prod', 'ENFORCED', prod],
] as const)('%s: threat protection on the Plus tier in %s mode', (_name, mode, { template }) => {
  template.hasResourceProperties('AWS::Cognito::UserPool', {
    UserPoolTier: 'PLUS',
    UserPoolAddOns: { AdvancedSecurityMode: mode },
  });
});

test('what threat protection does when it acts: block high risk and compromised credentials, nothing to notify', () => {
  prod.template.resourceCountIs('AWS::Cognito::UserPoolRiskConfigurationAttachment', 1);
  prod.template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
    UserPoolId: { Ref: logicalId(prod.stack.identity.userPool) },
    ClientId: 'ALL',
    AccountTakeoverRiskConfiguration: {
      Actions: {
        HighAction: { EventAction: 'BLOCK', Notify: false },
        MediumAction: { EventAction: 'NO_ACTION', Notify: false },
        LowAction: { EventAction: 'NO_ACTION', Notify: false },
      },
    },
    CompromisedCredentialsRiskConfiguration: {
      Actions: { EventAction: 'BLOCK' },
      EventFilter: ['SIGN_IN', 'PASSWORD_CHANGE'],
    },
  });
});

test('the app client: a secret; ADMIN_USER_PASSWORD_AUTH and refresh only; its id is no output', () => {
  prod.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
    GenerateSecret: true,
    ExplicitAuthFlows: Match.arrayEquals(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
  });
  expect(Object.keys(prod.template.toJSON().Outputs)).not.toContain('UserPoolClientId');
});

test('only the auth functions may sign in server-side or read the secret, on the pool only', () => {
  const signInActions = ['cognito-idp:AdminInitiateAuth', 'cognito-idp:DescribeUserPoolClient'];
  const poolArn = { 'Fn::GetAtt': [logicalId(prod.stack.identity.userPool), 'Arn'] };
  for (const [role, statements] of statementsByRole(prod.template)) {
    const granted = statements.filter((statement) => actionsOf(statement).some((a) => signInActions.includes(a)));
    const authRole = ['authToken', 'authRefresh'].some(
      (name) => role === logicalId(prod.stack.functions.byHandler[name as 'authToken'].executionRole),
    );
    if (!authRole) {
      expect(granted).toEqual([]);
      continue;
    }
    expect(granted.flatMap(actionsOf)).toEqual(expect.arrayContaining(signInActions));
    for (const statement of granted) expect(statement.Resource).toEqual(poolArn);
  }
});
