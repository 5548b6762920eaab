import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthStack } from './support';

// API Gateway's account-level CloudWatch role (docs/deploy.md, setting apiGatewayCloudWatchRole).
const PUSH_TO_LOGS = 'service-role/AmazonAPIGatewayPushToCloudWatchLogs';

/** The roles that carry API Gateway's managed logging policy, with their DeletionPolicy. */
function loggingRoles(template: Template): { DeletionPolicy?: string }[] {
  return Object.values(template.findResources('AWS::IAM::Role')).filter((role) =>
    JSON.stringify(role.Properties.ManagedPolicyArns ?? []).includes(PUSH_TO_LOGS),
  );
}

describe("API Gateway's account-level CloudWatch role", () => {
  test('by default the stack creates it, and a dev stack deletes it with itself (no orphan role per stack)', () => {
    const { template } = synthStack();
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    expect(loggingRoles(template).map((role) => role.DeletionPolicy)).toEqual(['Delete']);
    const account = Object.values(template.findResources('AWS::ApiGateway::Account'))[0];
    expect(account.DeletionPolicy).toBe('Delete');
  });

  test('a prod stack keeps it on deletion (other APIs of the account may log through it)', () => {
    const { template } = synthStack({ environment: 'prod' });
    expect(loggingRoles(template).map((role) => role.DeletionPolicy)).toEqual(['Retain']);
  });

  test('apiGatewayCloudWatchRole=false (the account has one already): neither the role nor the account setting', () => {
    const { template } = synthStack({ apiGatewayCloudWatchRole: 'false' });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(loggingRoles(template)).toEqual([]);
    // The stages still log: to the account's existing role.
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ LoggingLevel: 'ERROR' })]),
    });
  });
});
