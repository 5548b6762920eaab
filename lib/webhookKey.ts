import type { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { HANDLER_NEEDS, type HandlerName } from '../lambdas/handlerNeeds';
import { ENV } from '../lambdas/shared/settings';
import { SECRET_PURPOSE } from '../lambdas/webhooks/secretBox';
import type { RemotePopFunction } from './remotePopFunction';

export interface WebhookKeyProps {
  /** The functions by handler; those HANDLER_NEEDS gives `webhookKey` may use the key, and no other principal. */
  readonly functions: Readonly<Record<HandlerName, RemotePopFunction>>;
  /** The table's: a key deleted while the table (or a backup) is kept would leave its secrets unreadable. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * What the account may do with the key: manage it (describe, rotate, disable, change its policy, schedule its
 * deletion), never use it. So an IAM policy with kms:Decrypt on `*` gives no one the webhook secrets: only the
 * statements below, naming the functions' roles, allow a cryptographic operation. (CreateGrant is left out too: a
 * grant would be another way to use it.)
 */
const ADMINISTRATION = [
  'kms:Describe*',
  'kms:List*',
  'kms:Get*',
  'kms:Put*',
  'kms:Update*',
  'kms:Enable*',
  'kms:Disable*',
  'kms:Revoke*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** The action of each use: sealing a new secret is GenerateDataKey, opening one to sign is Decrypt. */
const ACTION_OF_USE = { seal: 'kms:GenerateDataKey', open: 'kms:Decrypt' } as const;

/**
 * The customer-managed key of the webhook signing secrets (lambdas/webhooks/secretBox.ts: envelope encryption), with
 * yearly automatic rotation. The key policy and the roles' policies both name exactly one action per function, with
 * the secrets' purpose required in the encryption context; the key's ARN goes to those functions as WEBHOOK_KEY_ID.
 */
export class WebhookKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: WebhookKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Remote Pop: webhook signing secrets (envelope encryption; only the webhook functions use it)',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountManagesTheKeyButDoesNotUseIt',
            principals: [new iam.AccountRootPrincipal()],
            actions: ADMINISTRATION,
            resources: ['*'],
          }),
        ],
      }),
    });
    for (const fn of Object.values(props.functions)) {
      const use = HANDLER_NEEDS[fn.handlerName].webhookKey;
      if (!use) continue;
      const only = {
        actions: [ACTION_OF_USE[use]],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': SECRET_PURPOSE } },
      };
      fn.addToRolePolicy(new iam.PolicyStatement({ ...only, resources: [this.key.keyArn] }));
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({ ...only, principals: [fn.executionRole], resources: ['*'] }),
      );
      fn.addEnvironment(ENV.webhookKeyId, this.key.keyArn);
    }
  }
}
