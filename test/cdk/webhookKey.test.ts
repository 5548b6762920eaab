import { AwsSolutionsChecks } from 'cdk-nag';
import { HANDLER_NEEDS, type HandlerName } from '../../lambdas/handlerNeeds';
import { ENV } from '../../lambdas/shared/settings';
import { SECRET_PURPOSE } from '../../lambdas/webhooks/secretBox';
import { actionsOf, logicalId, synthStack, type PolicyStatement, type Synthesized } from './support';

type KeyStatement = PolicyStatement & { readonly Principal: unknown; readonly Condition?: unknown };

/**
 * The webhook secrets' customer-managed key (lib/webhookKey.ts): rotated yearly, kept with the table, usable only by
 * the functions HANDLER_NEEDS gives `webhookKey` (create and rotate: GenerateDataKey; the sender: Decrypt), and
 * only with the secrets' purpose in the encryption context; the account administers it but cannot use it.
 */
const KEY_USERS: Record<string, string> = { webhookCreate: 'seal', webhookRotate: 'seal', webhookSender: 'open' };

const keyOf = (synthesized: Synthesized) => {
  const keys = Object.values(synthesized.template.findResources('AWS::KMS::Key')) as {
    Properties: { EnableKeyRotation: boolean; KeyPolicy: { Statement: KeyStatement[] } };
    DeletionPolicy: string;
  }[];
  expect(keys).toHaveLength(1);
  return keys[0]!;
};

describe.each([
  ['prod', 'Retain'],
  ['dev', 'Delete'],
])('%s', (environment, deletion) => {
  const synthesized = synthStack({ environment, ...(environment === 'prod' ? { wafRateLimitPer5Minutes: 1000 } : {}) });
  const key = keyOf(synthesized);
  const statements = key.Properties.KeyPolicy.Statement;

  test('one key, rotation on, removed as the table is', () => {
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe(deletion);
    const table = Object.values(synthesized.template.findResources('AWS::DynamoDB::Table'))[0] as {
      DeletionPolicy: string;
    };
    expect(table.DeletionPolicy).toBe(deletion);
  });

  test('the key policy: the account manages it without any cryptographic action; each user role one action', () => {
    const crypto = /^kms:(Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant|\*)$/;
    const account = statements.filter((s) => JSON.stringify(s.Principal).includes(':root'));
    expect(account).toHaveLength(1);
    expect(actionsOf(account[0]!).filter((a) => crypto.test(a))).toEqual([]);
    const uses = statements.filter((s) => s !== account[0]);
    const byRole = Object.fromEntries(
      uses.map((s) => [JSON.stringify(s.Principal), [actionsOf(s), JSON.stringify(s.Condition)]]),
    );
    const functions = synthesized.stack.functions.byHandler;
    const condition = JSON.stringify({ StringEquals: { 'kms:EncryptionContext:purpose': SECRET_PURPOSE } });
    expect(byRole).toEqual(
      Object.fromEntries(
        Object.entries(KEY_USERS).map(([name, use]) => [
          JSON.stringify({ AWS: { 'Fn::GetAtt': [logicalId(functions[name as HandlerName].executionRole), 'Arn'] } }),
          [[use === 'seal' ? 'kms:GenerateDataKey' : 'kms:Decrypt'], condition],
        ]),
      ),
    );
  });

  test('HANDLER_NEEDS names the same users; only they get the key in WEBHOOK_KEY_ID', () => {
    const users = Object.entries(HANDLER_NEEDS).filter(([, needs]) => needs.webhookKey);
    expect(Object.fromEntries(users.map(([name, needs]) => [name, needs.webhookKey]))).toEqual(KEY_USERS);
    const functions = synthesized.template.findResources('AWS::Lambda::Function');
    const withKey = Object.entries(functions)
      .filter(
        ([, fn]) => (fn as { Properties: { Environment?: { Variables?: object } } }).Properties.Environment?.Variables,
      )
      .filter(([, fn]) => ENV.webhookKeyId in (fn as any).Properties.Environment.Variables)
      .map(([id]) => id)
      .sort();
    const names = Object.keys(KEY_USERS) as HandlerName[];
    expect(withKey).toEqual(names.map((n) => logicalId(synthesized.stack.functions.byHandler[n])).sort());
  });

  test('cdk-nag finds nothing on the key', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(synthesized.stack)
      .violations.filter((v) => v.violatingResources.some((r) => r.constructPath?.includes('WebhookKey')))
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });
});
