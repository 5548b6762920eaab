/**
 * Standard Webhooks signatures with the `standardwebhooks` package (the specification's reference implementation):
 * `whsec_` secrets of 32 random bytes, `webhook-signature` of one `v1,<base64>` per secret that signs, so a receiver
 * that still holds the previous secret verifies during the 24 hours after a rotation.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const PREVIOUS_SECRET_MS = 24 * 60 * 60 * 1000;

export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The secrets that sign now: the current one, and the previous one until it expires. */
export function signingSecrets(
  webhook: { secret: string; previousSecret?: string; previousSecretExpiresAt?: string },
  now: number,
): string[] {
  const previous =
    webhook.previousSecret && webhook.previousSecretExpiresAt && Date.parse(webhook.previousSecretExpiresAt) > now
      ? [webhook.previousSecret]
      : [];
  return [webhook.secret, ...previous];
}

/** The three headers of one delivery. */
export function signedHeaders(
  messageId: string,
  at: Date,
  body: string,
  secrets: readonly string[],
): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  };
}
