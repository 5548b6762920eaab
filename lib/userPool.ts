import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import {
  API_CALLERS_GROUP,
  checkedGroupName,
  PASSWORD_POLICY,
  SCRIPTING_INSTANCES_GROUP,
  TENANT_ATTRIBUTE,
} from '../lambdas/shared/identity';

export interface TenantUserPoolProps {
  /** IdToken and AccessToken lifetime (Cognito allows 5 minutes to 1 day). */
  readonly tokenValidity: Duration;
  /** RETAIN in prod, DESTROY in dev. */
  readonly removalPolicy: RemovalPolicy;
  /** Refuse DeleteUserPool (prod). */
  readonly deletionProtection: boolean;
}

/**
 * The user pool: one user per integration (`api-callers`) or Scripting instance (`scripting-instances`), created by
 * the vendor only (provisioning/), each tagged with an immutable tenant; and the one app client the REST API signs them in with.
 */
export class TenantUserPool extends Construct {
  readonly userPool: cognito.IUserPool;
  readonly userPoolClient: cognito.IUserPoolClient;

  constructor(scope: Construct, id: string, props: TenantUserPoolProps) {
    super(scope, id);

    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      // Machine identities without mailboxes: the vendor resets passwords (provisioning CLI), nobody self-recovers.
      accountRecovery: cognito.AccountRecovery.NONE,
      mfa: cognito.Mfa.OFF,
      customAttributes: {
        // 2..63 as TENANT_PATTERN; immutable so a user can never move to another tenant.
        [TENANT_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 2, maxLen: 63, mutable: false }),
      },
      passwordPolicy: {
        minLength: PASSWORD_POLICY.minLength,
        requireLowercase: PASSWORD_POLICY.requireLowercase,
        requireUppercase: PASSWORD_POLICY.requireUppercase,
        requireDigits: PASSWORD_POLICY.requireDigits,
        requireSymbols: PASSWORD_POLICY.requireSymbols,
        tempPasswordValidity: Duration.days(PASSWORD_POLICY.tempPasswordValidityDays),
      },
      // Plus tier (cdk-nag COG8): compromised-credential and adaptive sign-in detection. AUDIT_ONLY for now: every
      // sign-in reaches Cognito from the auth Lambda, so the risk model sees the Lambda's address, not the caller's,
      // until the auth handler forwards UserContextData; enforcing before that could block callers at random.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'Users are non-interactive machine identities (third-party systems and Scripting instance servers) that ' +
        'sign in with USER_PASSWORD_AUTH from code; there is no person to answer an MFA challenge. Passwords are ' +
        'vendor-generated, 14+ characters, and Plus-tier threat protection watches for compromised credentials.',
    });

    for (const groupName of [API_CALLERS_GROUP, SCRIPTING_INSTANCES_GROUP]) {
      userPool.addGroup(groupName, { groupName: checkedGroupName(groupName), description: `Role group ${groupName}` });
    }

    this.userPoolClient = userPool.addClient('AppClient', {
      // USER_PASSWORD_AUTH for GET /auth; CDK adds ALLOW_REFRESH_TOKEN_AUTH to every client for POST /auth/refresh.
      authFlows: { userPassword: true },
      // With a client secret, every REFRESH_TOKEN_AUTH call would need a SECRET_HASH computed from it.
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: props.tokenValidity,
      accessTokenValidity: props.tokenValidity,
      refreshTokenValidity: Duration.days(30),
      disableOAuth: true,
    });
    this.userPool = userPool;
  }
}
