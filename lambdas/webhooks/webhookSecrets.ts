/**
 * The signing secrets' rules over the store and the secret box (secretBox.ts): a new endpoint's secret, a rotation
 * (the previous secret keeps signing for PREVIOUS_SECRET_MS, as before they were sealed) and the secrets that sign a
 * delivery now. An item written before the secrets were sealed keeps working with its plain secret; its next
 * rotation seals the new secret and the old one and removes the plain ones.
 */
import { newSecret, PREVIOUS_SECRET_MS, signingSecrets } from './signing';
import type { SealedSecret, SecretBox } from './secretBox';
import type { StoredWebhook, WebhookStore } from './webhookStore';

/** Rotations that lose a race with another (the item changed between the read and the write) are tried again. */
const ROTATE_ATTEMPTS = 3;

export async function newSealedSecret(
  box: Pick<SecretBox, 'seal'>,
  tenant: string,
  webhookId: string,
): Promise<{ readonly secret: string; readonly sealed: SealedSecret }> {
  const secret = newSecret();
  const [sealed] = await box.seal(tenant, webhookId, [secret]);
  return { secret, sealed: sealed! };
}

export interface Rotated {
  readonly secret: string;
  readonly previousExpiresAt: string;
}

/** One attempt: true when written, false when the item changed since it was read. */
async function rotateOnce(
  store: Pick<WebhookStore, 'rotate' | 'rotatePlain'>,
  box: Pick<SecretBox, 'seal'>,
  stored: StoredWebhook,
  rotated: Rotated,
): Promise<boolean> {
  const { tenant, webhookId } = stored;
  if (stored.sealedSecret || stored.secret === undefined) {
    const [sealed] = await box.seal(tenant, webhookId, [rotated.secret]);
    return store.rotate(tenant, webhookId, sealed!, rotated.previousExpiresAt);
  }
  const [current, previous] = await box.seal(tenant, webhookId, [rotated.secret, stored.secret]);
  return store.rotatePlain(
    tenant,
    webhookId,
    stored.secret,
    { current: current!, previous: previous! },
    rotated.previousExpiresAt,
  );
}

/** The new secret, or undefined when the tenant has no such webhook. */
export async function rotateSecret(
  store: Pick<WebhookStore, 'get' | 'rotate' | 'rotatePlain'>,
  box: Pick<SecretBox, 'seal'>,
  tenant: string,
  webhookId: string,
  now: number,
): Promise<Rotated | undefined> {
  for (let attempt = 1; attempt <= ROTATE_ATTEMPTS; attempt++) {
    const stored = await store.get(tenant, webhookId);
    if (!stored) return undefined;
    const rotated = { secret: newSecret(), previousExpiresAt: new Date(now + PREVIOUS_SECRET_MS).toISOString() };
    if (await rotateOnce(store, box, stored, rotated)) return rotated;
  }
  throw new Error(`The webhook changed during each of ${ROTATE_ATTEMPTS} rotation attempts`);
}

/** The plain secrets that sign a delivery now: the current one, and the previous one until it expires. */
export async function secretsToSign(
  box: Pick<SecretBox, 'open'>,
  webhook: StoredWebhook,
  now: number,
): Promise<string[]> {
  const { tenant, webhookId } = webhook;
  const open = (sealed: SealedSecret | undefined, plain: string | undefined) =>
    sealed ? box.open(tenant, webhookId, sealed) : Promise.resolve(plain);
  const secret = await open(webhook.sealedSecret, webhook.secret);
  if (secret === undefined) throw new Error('The webhook has no signing secret');
  const live = webhook.previousSecretExpiresAt !== undefined && Date.parse(webhook.previousSecretExpiresAt) > now;
  const previousSecret = live ? await open(webhook.previousSealedSecret, webhook.previousSecret) : undefined;
  return signingSecrets(
    {
      secret,
      ...(previousSecret !== undefined
        ? { previousSecret, previousSecretExpiresAt: webhook.previousSecretExpiresAt }
        : {}),
    },
    now,
  );
}
