/**
 * Choosing the user pool. Endpoints files are real temp files; CloudFormation has no emulator here, so
 * DescribeStacks is scripted with aws-sdk-client-mock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { EXIT } from '../../../provisioning/errors';
import { resolveTarget } from '../../../provisioning/target';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'provisioning-target-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeEndpoints(content: unknown, name = 'endpoints.json'): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const LOCAL = { UserPoolId: 'local_abc', Region: 'us-east-1', CognitoEndpoint: 'http://127.0.0.1:9229' };

describe('resolveTarget', () => {
  it('defaults to $LOCAL_DIR/endpoints.json with the local endpoint and dummy credentials', async () => {
    writeEndpoints(LOCAL);

    const target = await resolveTarget({}, { LOCAL_DIR: dir });

    expect(target).toMatchObject({ userPoolId: 'local_abc', region: 'us-east-1', endpoint: 'http://127.0.0.1:9229' });
    expect(target.description).toBe(
      `user pool local_abc (local stack at http://127.0.0.1:9229, ${dir}/endpoints.json)`,
    );
    expect(await target.client.config.credentials()).toMatchObject({ accessKeyId: 'local' });
    const endpoint = await target.client.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:9229');
  });

  it('reads --endpoints; a file without CognitoEndpoint targets AWS with the standard chain', async () => {
    const file = writeEndpoints({ UserPoolId: 'eu-west-1_AbC', Region: 'eu-west-1' }, 'deployed.json');

    const target = await resolveTarget({ endpoints: file }, {});

    expect(target).toMatchObject({ userPoolId: 'eu-west-1_AbC', region: 'eu-west-1', endpoint: undefined });
  });

  it('reads a `cdk deploy --outputs-file` file (outputs nested under the stack name)', async () => {
    const file = writeEndpoints({
      RemotePop: { UserPoolId: 'eu-west-1_Nested', Region: 'eu-west-1', RestApiUrl: 'https://x' },
    });

    expect(await resolveTarget({ endpoints: file }, {})).toMatchObject({
      userPoolId: 'eu-west-1_Nested',
      region: 'eu-west-1',
    });
  });

  it.each([
    [
      'no local stack',
      {},
      undefined,
      EXIT.TARGET,
      /No target: .*endpoints\.json does not exist\. Start the local stack/,
    ],
    ['two targets', { stack: 'S', userPoolId: 'eu-west-1_a' }, undefined, EXIT.USAGE, /Choose one target/],
    ['--region without a deployed target', { region: 'eu-west-1' }, LOCAL, EXIT.USAGE, /--region applies only/],
    ['a bad pool id', { userPoolId: 'not a pool' }, undefined, EXIT.INVALID_INPUT, /is not a user pool id/],
    ['a pool id without region', { userPoolId: 'local_abc' }, undefined, EXIT.TARGET, /No AWS region/],
    ['invalid JSON', {}, '{nope', EXIT.TARGET, /is not valid JSON/],
    ['no UserPoolId', {}, { Region: 'x' }, EXIT.TARGET, /has no UserPoolId/],
  ])('refuses %s', async (_case, options, file, exitCode, message) => {
    if (file !== undefined) writeEndpoints(file);

    await expect(resolveTarget(options, { LOCAL_DIR: dir })).rejects.toMatchObject({
      exitCode,
      message: expect.stringMatching(message),
    });
  });

  it('takes the region of --user-pool-id from the id, --region, or AWS_REGION', async () => {
    expect((await resolveTarget({ userPoolId: 'ap-southeast-2_Xyz' }, {})).region).toBe('ap-southeast-2');
    expect((await resolveTarget({ userPoolId: 'ap-southeast-2_Xyz', region: 'eu-west-1' }, {})).region).toBe(
      'eu-west-1',
    );
    expect((await resolveTarget({ userPoolId: 'local_abc' }, { AWS_REGION: 'eu-central-1' })).region).toBe(
      'eu-central-1',
    );
  });
});

describe('resolveTarget --stack', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  beforeEach(() => cloudFormation.reset());
  afterAll(() => cloudFormation.restore());

  it("uses the stack's UserPoolId output in the stack's region", async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'RemotePop' }).resolves({
      Stacks: [
        {
          StackName: 'RemotePop',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'RestApiUrl', OutputValue: 'https://x' },
            { OutputKey: 'UserPoolId', OutputValue: 'eu-west-1_Pool1' },
          ],
        },
      ],
    });

    const target = await resolveTarget({ stack: 'RemotePop', region: 'eu-west-1' }, {});

    expect(target).toMatchObject({ userPoolId: 'eu-west-1_Pool1', region: 'eu-west-1' });
    expect(target.endpoint).toBeUndefined();
    expect(target.description).toBe('user pool eu-west-1_Pool1 in eu-west-1 (stack RemotePop)');
    expect(await target.client.config.region()).toBe('eu-west-1');
  });

  it('explains a missing stack and a stack without the output (exit 6)', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'Nope' })
      .rejects(
        new CloudFormationServiceException({
          name: 'ValidationError',
          message: 'Stack with id Nope does not exist',
          $fault: 'client',
          $metadata: {},
        }),
      )
      .on(DescribeStacksCommand, { StackName: 'Other' })
      .resolves({
        Stacks: [
          {
            StackName: 'Other',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [{ OutputKey: 'BucketName', OutputValue: 'b' }],
          },
        ],
      });

    await expect(resolveTarget({ stack: 'Nope', region: 'eu-west-1' }, {})).rejects.toMatchObject({
      exitCode: EXIT.TARGET,
      message: 'Stack "Nope" does not exist in eu-west-1. Check --stack and --region.',
    });
    await expect(resolveTarget({ stack: 'Other', region: 'eu-west-1' }, {})).rejects.toMatchObject({
      exitCode: EXIT.TARGET,
      message: expect.stringContaining('has no UserPoolId output (outputs: BucketName)'),
    });
  });
});
