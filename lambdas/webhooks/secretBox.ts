/**
 * Webhook signing secrets under envelope encryption: each is encrypted here with AES-256-GCM under a data key that
 * KMS generates for one webhook (GenerateDataKey, AES_256), and the item keeps only the ciphertext, its IV and tag and
 * the data key as KMS encrypted it (webhookStore.ts). The encryption context names the tenant and the webhook, both
 * in KMS (the data key decrypts only with the same context) and as the GCM additional data, so an item copied to
 * another tenant or webhook cannot be opened. Only the functions HANDLER_NEEDS gives `webhookKey` may use the key.
 *
 * The sender keeps the data keys it decrypted in a bounded cache (KEY_CACHE_ENTRIES, KEY_CACHE_MS): a busy endpoint
 * costs one Decrypt per container per 5 minutes, not one per delivery; 5 minutes also bounds how long a warm container
 * still signs after the key is disabled, and how long a plain data key stays in its memory.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export type EncryptionContext = Readonly<Record<string, string>>;

/** One secret as stored: every part binary (DynamoDB B). */
export interface SealedSecret {
  /** The data key, as KMS encrypted it under the stack's key and this webhook's context. */
  readonly encryptedKey: Uint8Array;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** The two KMS calls (lambdas/clients/kmsClient.ts; locally local/kms/). */
export interface DataKeys {
  generate(context: EncryptionContext): Promise<{ plaintext: Uint8Array; encrypted: Uint8Array }>;
  decrypt(encrypted: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

/** The key policy lets the functions use the key only with this purpose in the context (lib/webhookKey.ts). */
export const SECRET_PURPOSE = 'remote-pop-webhook-secret';
export const KEY_CACHE_ENTRIES = 1_000;
export const KEY_CACHE_MS = 5 * 60 * 1000;

export const secretContext = (tenant: string, webhookId: string): EncryptionContext => ({
  purpose: SECRET_PURPOSE,
  tenant,
  webhookId,
});

/** The context as GCM's additional data: its pairs in key order, so the same context gives the same bytes. */
const additionalData = (context: EncryptionContext): Buffer =>
  Buffer.from(
    JSON.stringify(
      Object.keys(context)
        .sort()
        .map((k) => [k, context[k]]),
    ),
  );

export function sealWith(
  key: Uint8Array,
  encryptedKey: Uint8Array,
  secret: string,
  context: EncryptionContext,
): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(context));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return { encryptedKey, iv, tag: cipher.getAuthTag(), ciphertext };
}

/** Throws on a changed ciphertext, IV, tag or context (GCM's authentication). */
export function openWith(key: Uint8Array, sealed: SealedSecret, context: EncryptionContext): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
  decipher.setAAD(additionalData(context));
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
}

export interface SecretBoxOptions {
  readonly maxKeys?: number;
  readonly keyLifetimeMs?: number;
  readonly now?: () => number;
}

export class SecretBox {
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly keys = new Map<string, { readonly key: Uint8Array; readonly until: number }>();
  private readonly maxKeys: number;
  private readonly lifetimeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly dataKeys: DataKeys,
    options: SecretBoxOptions = {},
  ) {
    this.maxKeys = options.maxKeys ?? KEY_CACHE_ENTRIES;
    this.lifetimeMs = options.keyLifetimeMs ?? KEY_CACHE_MS;
    this.now = options.now ?? Date.now;
  }

  /** Seals each secret under one new data key (one GenerateDataKey), each with its own IV; the plain key is wiped. */
  async seal(tenant: string, webhookId: string, secrets: readonly string[]): Promise<SealedSecret[]> {
    const context = secretContext(tenant, webhookId);
    const { plaintext, encrypted } = await this.dataKeys.generate(context);
    try {
      return secrets.map((secret) => sealWith(plaintext, encrypted, secret, context));
    } finally {
      plaintext.fill(0);
    }
  }

  async open(tenant: string, webhookId: string, sealed: SealedSecret): Promise<string> {
    const context = secretContext(tenant, webhookId);
    return openWith(await this.dataKey(context, sealed.encryptedKey), sealed, context);
  }

  /** Cached by the context and the encrypted key together, so a key is reused only where KMS would give it. */
  private async dataKey(context: EncryptionContext, encryptedKey: Uint8Array): Promise<Uint8Array> {
    const id = `${context.tenant}\u0000${context.webhookId}\u0000${Buffer.from(encryptedKey).toString('base64')}`;
    const now = this.now();
    const cached = this.keys.get(id);
    this.keys.delete(id);
    if (cached && cached.until > now) {
      this.keys.set(id, cached);
      return cached.key;
    }
    const key = await this.dataKeys.decrypt(encryptedKey, context);
    if (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(id, { key, until: now + this.lifetimeMs });
    return key;
  }
}
