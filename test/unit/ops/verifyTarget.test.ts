/** `npm run verify`'s target: the local endpoints file (LOCAL_DIR) or a `cdk deploy --outputs-file` file, read without any call. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadVerifyTarget, UsageError } from '../../../ops/verify/target';

const dir = mkdtempSync(path.join(os.tmpdir(), 'verify-target-'));
const DEPLOYED = {
  RestApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/',
  WebSocketUrl: 'wss://def456.execute-api.eu-west-1.amazonaws.com/v1',
  UserPoolId: 'eu-west-1_AbC123',
  TableName: 'RemotePop-StorageTable-XYZ',
  Region: 'eu-west-1',
};

function file(name: string, content: unknown): string {
  const at = path.join(dir, name);
  writeFileSync(at, JSON.stringify(content));
  return at;
}

test('a cdk deploy --outputs-file file: the stack under its name, a deployed (not local) stack', async () => {
  const target = await loadVerifyTarget(file('cdk-outputs.json', { RemotePopProd: DEPLOYED }), {});
  expect(target).toMatchObject({
    restApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1',
    webSocketUrl: DEPLOYED.WebSocketUrl,
    userPoolId: DEPLOYED.UserPoolId,
    local: false,
    table: { tableName: DEPLOYED.TableName },
  });
  expect(await target.cognito.config.region()).toBe('eu-west-1');
  target.close();
});

test("no option: $LOCAL_DIR/endpoints.json, a local stack (its emulators' endpoints)", async () => {
  const localDir = mkdtempSync(path.join(dir, 'local-'));
  writeFileSync(
    path.join(localDir, 'endpoints.json'),
    JSON.stringify({
      ...DEPLOYED,
      CognitoEndpoint: 'http://127.0.0.1:9229',
      DynamoDbEndpoint: 'http://127.0.0.1:4567',
    }),
  );
  const target = await loadVerifyTarget(undefined, { LOCAL_DIR: localDir });
  expect(target.local).toBe(true);
  target.close();
});

test('usage errors name what is missing', async () => {
  await expect(loadVerifyTarget(undefined, { LOCAL_DIR: path.join(dir, 'none') })).rejects.toThrow(
    /endpoints.json does not exist. Start the local stack/,
  );
  await expect(loadVerifyTarget(file('partial.json', { ...DEPLOYED, WebSocketUrl: undefined }), {})).rejects.toThrow(
    new UsageError(`The outputs file ${path.join(dir, 'partial.json')} has no WebSocketUrl.`),
  );
  await expect(loadVerifyTarget(path.join(dir, 'missing.json'), {})).rejects.toThrow(/Cannot read the outputs file/);
});
