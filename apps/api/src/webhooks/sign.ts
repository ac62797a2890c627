/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of
 * the key; a message is signed as base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) and sent as
 * `webhook-signature: v1,<signature>` with `webhook-id` and `webhook-timestamp` (Unix seconds).
 */
import { createHmac } from 'node:crypto';

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
