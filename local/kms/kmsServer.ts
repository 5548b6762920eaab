/**
 * A small emulation of AWS KMS for the local stack: one symmetric key, the JSON protocol the SDK speaks
 * (`X-Amz-Target: TrentService.<Operation>`, application/x-amz-json-1.1), so the real @aws-sdk/client-kms reaches it
 * by endpoint only. No npm package emulates KMS. Its operations are the ones the webhook secrets use
 * (lambdas/clients/kmsClient.ts): GenerateDataKey and Decrypt, plus Encrypt for tests. A ciphertext is this key's
 * AES-256-GCM of the plaintext with the encryption context as additional data, so Decrypt refuses another context
 * (InvalidCiphertextException) as KMS does. With a data folder the key material is kept in `<dataDir>/kms/key.json`,
 * owner-only, so a restart over the same data (the table survives it) still decrypts. Differences from AWS:
 * local/README.md.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface LocalKms {
  /** `http://127.0.0.1:<port>`: what KMS_ENDPOINT is set to. */
  readonly endpoint: string;
  /** The key's ARN: what WEBHOOK_KEY_ID is set to. */
  readonly keyArn: string;
  stop(): Promise<void>;
}

export interface LocalKmsOptions {
  readonly region: string;
  /** Keep the key material here (`kms/key.json`); a new key in memory when absent. */
  readonly dataDir?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
}

interface KeyMaterial {
  readonly keyId: string;
  readonly material: Buffer;
}

const VERSION = 1;
const ACCOUNT = '000000000000';
const MAX_PLAINTEXT_BYTES = 4096;

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The key of an earlier start over the same data folder, or a new one written there owner-only. */
function loadKey(dataDir: string | undefined): KeyMaterial {
  if (!dataDir) return { keyId: randomUUID(), material: randomBytes(32) };
  const dir = path.join(dataDir, 'kms');
  const file = path.join(dir, 'key.json');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { keyId: string; material: string };
    return { keyId: kept.keyId, material: Buffer.from(kept.material, 'base64') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = { keyId: randomUUID(), material: randomBytes(32) };
  writeFileSync(file, JSON.stringify({ keyId: key.keyId, material: key.material.toString('base64') }), {
    mode: 0o600,
  });
  chmodSync(file, 0o600);
  return key;
}

/** The context as additional data: its pairs in key order (KMS treats the context as an unordered map). */
function contextBytes(context: unknown): Buffer {
  const map = (context ?? {}) as Record<string, string>;
  return Buffer.from(
    JSON.stringify(
      Object.keys(map)
        .sort()
        .map((k) => [k, map[k]]),
    ),
  );
}

/** version (1) | key id (16) | IV (12) | tag (16) | ciphertext */
function encrypt(key: KeyMaterial, plaintext: Buffer, context: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.material, iv);
  cipher.setAAD(contextBytes(context));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const id = Buffer.from(key.keyId.replace(/-/g, ''), 'hex');
  return Buffer.concat([Buffer.from([VERSION]), id, iv, cipher.getAuthTag(), data]);
}

function decrypt(key: KeyMaterial, blob: Buffer, context: unknown): Buffer {
  const id = Buffer.from(key.keyId.replace(/-/g, ''), 'hex');
  if (blob.length < 45 || blob[0] !== VERSION || !blob.subarray(1, 17).equals(id))
    throw new KmsError('InvalidCiphertextException', 'The ciphertext is not one of this key.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.material, blob.subarray(17, 29));
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(blob.subarray(29, 45));
    return Buffer.concat([decipher.update(blob.subarray(45)), decipher.final()]);
  } catch {
    throw new KmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid.');
  }
}

/** A key id, key ARN or nothing (Decrypt) names this key; anything else is NotFoundException. */
function checkKeyId(keyId: unknown, key: KeyMaterial, arn: string, required: boolean): void {
  if (keyId === undefined && !required) return;
  if (keyId !== key.keyId && keyId !== arn)
    throw new KmsError('NotFoundException', `Key '${String(keyId)}' does not exist`);
}

type Operation = (request: Record<string, unknown>) => Record<string, unknown>;

function operations(key: KeyMaterial, arn: string): Readonly<Record<string, Operation>> {
  return {
    GenerateDataKey: (request) => {
      checkKeyId(request.KeyId, key, arn, true);
      const bytes =
        request.KeySpec === 'AES_256' ? 32 : request.KeySpec === 'AES_128' ? 16 : Number(request.NumberOfBytes);
      if (!(bytes >= 1 && bytes <= 1024))
        throw new KmsError('ValidationException', 'KeySpec or NumberOfBytes (1 to 1024) is required.');
      const plaintext = randomBytes(bytes);
      const blob = encrypt(key, plaintext, request.EncryptionContext);
      return { KeyId: arn, Plaintext: plaintext.toString('base64'), CiphertextBlob: blob.toString('base64') };
    },
    Encrypt: (request) => {
      checkKeyId(request.KeyId, key, arn, true);
      const plaintext = Buffer.from(String(request.Plaintext ?? ''), 'base64');
      if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT_BYTES)
        throw new KmsError('ValidationException', 'Plaintext must be 1 to 4096 bytes.');
      const blob = encrypt(key, plaintext, request.EncryptionContext);
      return { KeyId: arn, CiphertextBlob: blob.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    Decrypt: (request) => {
      checkKeyId(request.KeyId, key, arn, false);
      const blob = Buffer.from(String(request.CiphertextBlob ?? ''), 'base64');
      const plaintext = decrypt(key, blob, request.EncryptionContext);
      return { KeyId: arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
  };
}

function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify(body));
}

async function handle(
  ops: Readonly<Record<string, Operation>>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith('TrentService.') ? ops[target.slice('TrentService.'.length)] : undefined;
  try {
    if (request.method !== 'POST' || !operation)
      throw new KmsError('UnknownOperationException', `Unknown operation ${target || '(none)'}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      throw new KmsError('SerializationException', 'The request body is not JSON.');
    }
    answer(response, 200, operation(body));
  } catch (error) {
    const kms = error instanceof KmsError ? error : new KmsError('KMSInternalException', (error as Error).message);
    answer(response, kms.type === 'KMSInternalException' ? 500 : 400, { __type: kms.type, message: kms.message });
  }
}

export async function startLocalKms(options: LocalKmsOptions): Promise<LocalKms> {
  const key = loadKey(options.dataDir);
  const keyArn = `arn:aws:kms:${options.region}:${ACCOUNT}:key/${key.keyId}`;
  const ops = operations(key, keyArn);
  const server = createServer((request, response) => void handle(ops, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keyArn,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
