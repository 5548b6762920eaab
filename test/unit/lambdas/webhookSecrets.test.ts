/**
 * Webhook signing secrets under envelope encryption (lambdas/webhooks/secretBox.ts, webhookSecrets.ts), through the
 * real KMS client (lambdas/clients/kmsClient.ts) at the local KMS emulation (local/kms/kmsServer.ts) and the real
 * handlers against dynalite: a round trip; another tenant's or webhook's context, a changed ciphertext or tag are
 * refused; the data keys are cached (bounded, for a while); the items hold no plain secret; an item written plain
 * before the upgrade still signs and is sealed by its next rotation.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { createDataKeys, type KmsDataKeys } from '../../../lambdas/clients/kmsClient';
import { keys } from '../../../lambdas/store/tableSchema';
import { SecretBox, secretContext, type DataKeys } from '../../../lambdas/webhooks/secretBox';
import { makeWebhookSenderHandler } from '../../../lambdas/webhooks/senderHandler';
import { webhookSealDependencies } from '../../../lambdas/webhooks/sealDependencies';
import { makeWebhookCreateHandler, makeWebhookRotateHandler } from '../../../lambdas/webhooks/webhookHandlers';
import { WebhookStore } from '../../../lambdas/webhooks/webhookStore';
import { startLocalKms, type LocalKms } from '../../../local/kms/kmsServer';
import { lambdaContext, restEvent } from '../fuzz/harness';
import { startTestTable, type TestTable } from '../support/dynamoTable';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
let kms: LocalKms;
let dataKeys: KmsDataKeys;
let table: TestTable;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'kms-'));
  [kms, table] = await Promise.all([startLocalKms({ region: 'us-east-1', dataDir }), startTestTable()]);
  dataKeys = createDataKeys({ region: 'us-east-1', webhookKeyId: kms.keyArn, kmsEndpoint: kms.endpoint }, CREDENTIALS);
});
afterAll(async () => {
  dataKeys?.destroy();
  await Promise.all([kms?.stop(), table?.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
});

/** The data keys, counting the Decrypt calls. */
function counted(): { keys: DataKeys; decrypts: () => number } {
  let decrypts = 0;
  return {
    keys: { generate: (c) => dataKeys.generate(c), decrypt: (e, c) => (decrypts++, dataKeys.decrypt(e, c)) },
    decrypts: () => decrypts,
  };
}

describe('the envelope', () => {
  test('a sealed secret opens with its tenant and webhook, and with no other', async () => {
    const box = new SecretBox(dataKeys);
    const [sealed] = await box.seal('acme', 'w1', ['whsec_one']);
    expect(await box.open('acme', 'w1', sealed!)).toBe('whsec_one');
    expect(Buffer.from(sealed!.ciphertext).toString('utf8')).not.toContain('whsec_one');
    // A fresh box (no cached key): KMS itself refuses the data key under another context.
    await expect(new SecretBox(dataKeys).open('other', 'w1', sealed!)).rejects.toThrow();
    await expect(new SecretBox(dataKeys).open('acme', 'w2', sealed!)).rejects.toThrow();
    await expect(dataKeys.decrypt(sealed!.encryptedKey, secretContext('other', 'w1'))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  test('a changed ciphertext, tag or data key is refused', async () => {
    const box = new SecretBox(dataKeys);
    const [sealed] = await box.seal('acme', 'w1', ['whsec_two']);
    const flipped = (bytes: Uint8Array) => Uint8Array.from(bytes, (b, i) => (i === 0 ? b ^ 1 : b));
    await expect(box.open('acme', 'w1', { ...sealed!, ciphertext: flipped(sealed!.ciphertext) })).rejects.toThrow();
    await expect(box.open('acme', 'w1', { ...sealed!, tag: flipped(sealed!.tag) })).rejects.toThrow();
    const key = sealed!.encryptedKey;
    const changedKey = Uint8Array.from(key, (b, i) => (i === key.length - 1 ? b ^ 1 : b));
    await expect(box.open('acme', 'w1', { ...sealed!, encryptedKey: changedKey })).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  test('data keys are cached per webhook for their lifetime, and the cache is bounded', async () => {
    let now = 0;
    const { keys: counting, decrypts } = counted();
    const box = new SecretBox(counting, { maxKeys: 2, keyLifetimeMs: 1000, now: () => now });
    const sealed = await Promise.all(['a', 'b', 'c'].map(async (id) => (await box.seal('acme', id, [id]))[0]!));
    expect(await box.open('acme', 'a', sealed[0]!)).toBe('a');
    expect(await box.open('acme', 'a', sealed[0]!)).toBe('a');
    expect(decrypts()).toBe(1);
    now = 1001;
    await box.open('acme', 'a', sealed[0]!);
    expect(decrypts()).toBe(2);
    // b and c: a, the least recently used, is evicted.
    await box.open('acme', 'b', sealed[1]!);
    await box.open('acme', 'c', sealed[2]!);
    await box.open('acme', 'a', sealed[0]!);
    expect(decrypts()).toBe(5);
  });
});

describe('the KMS emulation through the real SDK client', () => {
  test('an unknown key is NotFoundException; the key material is owner-only and survives a restart', async () => {
    const other = createDataKeys(
      { region: 'us-east-1', webhookKeyId: `${kms.keyArn}0`, kmsEndpoint: kms.endpoint },
      CREDENTIALS,
    );
    await expect(other.generate(secretContext('acme', 'w1'))).rejects.toMatchObject({ name: 'NotFoundException' });
    other.destroy();
    const { plaintext, encrypted } = await dataKeys.generate(secretContext('acme', 'w1'));
    expect(plaintext).toHaveLength(32);
    expect(statSync(path.join(dataDir, 'kms', 'key.json')).mode & 0o777).toBe(0o600);
    const again = await startLocalKms({ region: 'us-east-1', dataDir });
    const keysAgain = createDataKeys(
      { region: 'us-east-1', webhookKeyId: again.keyArn, kmsEndpoint: again.endpoint },
      CREDENTIALS,
    );
    try {
      expect(again.keyArn).toBe(kms.keyArn);
      expect(Buffer.from(await keysAgain.decrypt(encrypted, secretContext('acme', 'w1')))).toEqual(
        Buffer.from(plaintext),
      );
    } finally {
      keysAgain.destroy();
      await again.stop();
    }
  });
});

describe('the handlers keep no plain secret', () => {
  const TENANT = 'sealed';
  const claims = { 'cognito:username': 'crm', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };
  const settings = { tableName: 'remote-pop-test', region: 'us-east-1' };
  let nextId = 0;
  const deps = () => ({
    ...webhookSealDependencies(settings, { db: table.db, dataKeys }),
    resolve: async () => ['93.184.216.34'],
    newId: () => `wh${++nextId}`,
  });
  const rawItem = async (webhookId: string) =>
    (await table.raw.send(new GetItemCommand({ TableName: settings.tableName, Key: marshalledKey(webhookId) }))).Item!;
  const marshalledKey = (webhookId: string) => {
    const key = keys.webhook(TENANT, webhookId);
    return { PK: { S: key.PK }, SK: { S: key.SK } };
  };
  const call = async (handler: ReturnType<typeof makeWebhookCreateHandler>, webhookId?: string) => {
    const event = restEvent({
      method: 'POST',
      resource: webhookId ? '/webhooks/{WebhookId}/rotate-secret' : '/webhooks',
      body: webhookId ? null : JSON.stringify({ Url: 'https://hooks.example.com/x' }),
      ...(webhookId ? { pathParameters: { WebhookId: webhookId } } : {}),
      claims,
    });
    const result = (await handler(event, lambdaContext())) as APIGatewayProxyResult;
    expect(result.statusCode).toBe(200);
    return (JSON.parse(result.body) as { Result: { WebhookId: string; Secret: string } }).Result;
  };
  /** One delivery through the sender; the secrets that verify it. */
  async function signers(webhookId: string, secrets: string[]): Promise<string[]> {
    let headers: Record<string, string> = {};
    let body = '';
    const sender = makeWebhookSenderHandler({
      webhooks: new WebhookStore(table.db, settings.tableName),
      queue: { changeVisibility: async () => undefined },
      box: new SecretBox(dataKeys),
      queueUrl: 'https://sqs.example/q',
      retrySeconds: [1],
      post: async (_url, sent, sentHeaders) => ((body = sent), (headers = sentHeaders), { ok: true, status: 204 }),
      now: Date.now,
    });
    const message = { tenant: TENANT, webhookId, messageId: 'm1', payload: { Type: 'webhook.test' } };
    const event = { Records: [{ messageId: 'r1', receiptHandle: 'h', body: JSON.stringify(message) }] };
    expect((await sender(event as unknown as SQSEvent)).batchItemFailures).toEqual([]);
    return secrets.filter((secret) => {
      try {
        new Webhook(secret).verify(body, headers);
        return true;
      } catch {
        return false;
      }
    });
  }
  const plainIn = (item: object, secret: string) =>
    JSON.stringify(item).includes(secret) || JSON.stringify(item).includes(secret.slice('whsec_'.length));

  test('create and rotate store sealed secrets only; the sender signs with the new and the previous one', async () => {
    const created = await call(makeWebhookCreateHandler(deps()));
    const item = await rawItem(created.WebhookId);
    expect(item.Secret).toBeUndefined();
    expect(Object.keys(item.SecretSealed!.M!).sort()).toEqual(['Data', 'Iv', 'Key', 'Tag']);
    expect(plainIn(item, created.Secret)).toBe(false);
    expect(await signers(created.WebhookId, [created.Secret])).toEqual([created.Secret]);

    const rotated = await call(makeWebhookRotateHandler(deps()), created.WebhookId);
    const after = await rawItem(created.WebhookId);
    expect(after.PreviousSecretSealed?.M).toBeDefined();
    expect(plainIn(after, rotated.Secret) || plainIn(after, created.Secret)).toBe(false);
    expect(await signers(created.WebhookId, [rotated.Secret, created.Secret])).toEqual([
      rotated.Secret,
      created.Secret,
    ]);
  });

  test('an item written plain before the upgrade signs, and its next rotation seals both secrets', async () => {
    const old = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    await table.raw.send(
      new PutItemCommand({
        TableName: settings.tableName,
        Item: {
          ...marshalledKey('legacy'),
          Type: { S: 'Webhook' },
          Tenant: { S: TENANT },
          WebhookId: { S: 'legacy' },
          Url: { S: 'https://hooks.example.com/old' },
          Events: { L: [] },
          Secret: { S: old },
          CreatedAt: { S: '2026-01-01T00:00:00.000Z' },
          DeadLettered: { N: '0' },
        },
      }),
    );
    expect(await signers('legacy', [old])).toEqual([old]);
    const rotated = await call(makeWebhookRotateHandler(deps()), 'legacy');
    const item = await rawItem('legacy');
    expect([item.Secret, item.PreviousSecret]).toEqual([undefined, undefined]);
    expect(plainIn(item, old) || plainIn(item, rotated.Secret)).toBe(false);
    expect(await signers('legacy', [rotated.Secret, old])).toEqual([rotated.Secret, old]);
  });
});
