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
  /**
   * Threat protection that acts (prod): block compromised credentials and high-risk sign-ins. Off, it only audits
   * (dev: tests and benchmarks sign in from one address at a rate a risk model may call an attack).
   */
  readonly enforceThreatProtection: boolean;
}

/**
 * The user pool: one user per integration (`api-callers`) or Scripting instance (`scripting-instances`), created by
 * the vendor only (provisioning/), each tagged with an immutable tenant; and the one app client the REST API signs them in with.
 * The client has a secret and allows only server-side sign-in (ADMIN_USER_PASSWORD_AUTH, which needs IAM) and refresh:
 * nobody can sign in at Cognito directly, past the API's throttles and WAF (docs/edge.md).
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
      // Plus tier (cdk-nag COG8): compromised-credential and adaptive sign-in detection, scoring the caller's IP and
      // headers that the auth functions pass as ContextData (lambdas/auth/tokenHandlers.ts): safe to act on in prod.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: props.enforceThreatProtection
        ? cognito.StandardThreatProtectionMode.FULL_FUNCTION
        : cognito.StandardThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'Users are non-interactive machine identities (third-party systems and Scripting instance servers) that ' +
        'sign in with a password through GET /auth; there is no person to answer an MFA challenge. Passwords are ' +
        'vendor-generated, 14+ characters, and Plus-tier threat protection watches for compromised credentials.',
    });

    for (const groupName of [API_CALLERS_GROUP, SCRIPTING_INSTANCES_GROUP]) {
      userPool.addGroup(groupName, { groupName: checkedGroupName(groupName), description: `Role group ${groupName}` });
    }

    this.userPoolClient = userPool.addClient('AppClient', {
      // ADMIN_USER_PASSWORD_AUTH for GET /auth (AdminInitiateAuth, signed with the auth functions' role); CDK adds
      // ALLOW_REFRESH_TOKEN_AUTH to every client, for POST /auth/refresh. No USER_PASSWORD_AUTH, no SRP.
      authFlows: { adminUserPassword: true },
      // Every sign-in and refresh needs a SECRET_HASH from it; only the auth functions may read it
      // (DescribeUserPoolClient, lambdas/auth/appClient.ts). Adding it replaces the client (a new id).
      generateSecret: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: props.tokenValidity,
      accessTokenValidity: props.tokenValidity,
      refreshTokenValidity: Duration.days(30),
      disableOAuth: true,
    });
    this.userPool = userPool;
    addThreatProtectionActions(this, userPool);
  }
}

/** What threat protection does when it acts (FULL_FUNCTION, prod), for every client of the pool. */
function addThreatProtectionActions(scope: Construct, userPool: cognito.IUserPool): void {
  new cognito.CfnUserPoolRiskConfigurationAttachment(scope, 'ThreatProtectionActions', {
    userPoolId: userPool.userPoolId,
    clientId: 'ALL',
    // Machine identities without MFA or mailboxes: nothing to challenge or notify, so a risky sign-in is blocked or
    // let through. High risk and known-compromised passwords are blocked (the vendor resets the password with the
    // provisioning CLI); low and medium risk are recorded only. Acts only in FULL_FUNCTION mode (prod).
    accountTakeoverRiskConfiguration: {
      actions: {
        lowAction: { eventAction: 'NO_ACTION', notify: false },
        mediumAction: { eventAction: 'NO_ACTION', notify: false },
        highAction: { eventAction: 'BLOCK', notify: false },
      },
    },
    compromisedCredentialsRiskConfiguration: {
      actions: { eventAction: 'BLOCK' },
      eventFilter: ['SIGN_IN', 'PASSWORD_CHANGE'],
    },
  });
}
