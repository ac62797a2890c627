/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of
 * the key; a message is signed as base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) and sent as
 * `webhook-signature: v1,<signature>` with `webhook-id` and `webhook-timestamp` (Unix seconds).
 */
import { createHmac } from 'node:crypto';
import { ownerOf, type Config } from '@ca/shared';

export function secretKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const key = Buffer.from(b64, 'base64');
  if (key.length < 16) throw new Error('WEBHOOK_SECRET must be whsec_ followed by base64 of at least 16 bytes');
  return key;
}

export function signatureHeaders(key: Buffer, id: string, timestampS: number, body: string): Record<string, string> {
  const sig = createHmac('sha256', key).update(`${id}.${timestampS}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': `v1,${sig}` };
}

/**
 * The signing key of a job's webhooks: its API key's own secret (WEBHOOK_KEY_SECRETS) if it has one,
 * else WEBHOOK_SECRET. Read when a delivery is made, so a rotated secret signs every later attempt.
 */
export class WebhookSecrets {
  private readonly global: Buffer | undefined;
  private readonly perOwner = new Map<string, Buffer>();
  constructor(cfg: Pick<Config, 'WEBHOOK_SECRET' | 'WEBHOOK_KEY_SECRETS'>) {
    this.global = cfg.WEBHOOK_SECRET ? secretKey(cfg.WEBHOOK_SECRET) : undefined;
    for (const entry of cfg.WEBHOOK_KEY_SECRETS) {
      const at = entry.lastIndexOf('=whsec_');
      this.perOwner.set(ownerOf(entry.slice(0, at)), secretKey(entry.slice(at + 1)));
    }
  }

  for(owner: string | undefined): Buffer | undefined {
    return (owner !== undefined ? this.perOwner.get(owner) : undefined) ?? this.global;
  }
}

const memo = new WeakMap<object, WebhookSecrets>();
/** One WebhookSecrets per configuration object (the keys are derived once). */
export function webhookSecrets(cfg: Config): WebhookSecrets {
  let s = memo.get(cfg);
  if (!s) memo.set(cfg, (s = new WebhookSecrets(cfg)));
  return s;
}
