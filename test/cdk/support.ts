import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { RemotePopStack } from '../../lib/remotePopStack';

export interface Synthesized {
  readonly app: App;
  readonly stack: RemotePopStack;
  readonly template: Template;
}

/** A fresh app and stack from context settings; bundling is skipped (the template is what these tests read). */
export function synthStack(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new RemotePopStack(app, 'RemotePop');
  return { app, stack, template: Template.fromStack(stack) };
}

/** The CloudFormation logical id of a construct's L1 resource. */
export function logicalId(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(resource);
}

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

export const actionsOf = (statement: PolicyStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Every IAM policy statement of the template, with the logical ids of the roles the policy is attached to. */
export function statementsByRole(template: Template): Map<string, PolicyStatement[]> {
  const byRole = new Map<string, PolicyStatement[]>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref);
    for (const role of roles) {
      byRole.set(role, [
        ...(byRole.get(role) ?? []),
        ...(policy.Properties.PolicyDocument.Statement as PolicyStatement[]),
      ]);
    }
  }
  return byRole;
}
