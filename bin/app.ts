import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RemotePopStack } from '../lib/remotePopStack';

// Settings come from context (cdk.json or `-c name=value`), see lib/stackSettings.ts; the stack name from `-c stackName=`.
const app = new App();
const stackName: string = app.node.tryGetContext('stackName') ?? 'RemotePop';

// Environment-agnostic: no lookups, so one template deploys to any account and region (`cdk deploy` picks them).
new RemotePopStack(app, stackName, {
  stackName,
  description: 'Remote Pop: REST API for tokens and pops, WebSocket API for Scripting instances',
});

// cdk-nag 3: AwsSolutions as a validation plugin; any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
