/**
 * A webhook receiver, as an integration would write it: verify each delivery's signature with the SDK's
 * `verifyWebhook`, answer 204 to a valid one (401 to anything else), skip a delivery whose `webhook-id` was already
 * seen (a retry of one already handled), and print each event as one JSON line.
 *
 *   WEBHOOK_SECRET=whsec_... PORT=8787 npx tsx examples/webhook-receiver.ts
 *
 * Register it with `POST /webhooks {"Url": "http://127.0.0.1:8787/hooks"}` (the local stack allows plain http to
 * loopback; a deployed stack calls https URLs only), and give it the `Secret` that call answers.
 * In your own project the import is `from '@remote-pop/client'` (sdk/README.md); here it is the SDK's source.
 * Run by test/e2e/sdk/webhookReceiver.test.ts against a local stack.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { verifyWebhook, WebhookVerificationError } from '../sdk/src';

/** The ids already handled; a real receiver keeps them in its database, beside what the event changed. */
const MAX_REMEMBERED = 10_000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function webhookReceiver(secret: string, print: (line: string) => void = console.log): Server {
  const seen = new Set<string>();
  return createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      // Verify the body exactly as received: parsing and re-serialising it would change the signed bytes.
      const body = await readBody(req);
      let event: unknown;
      try {
        event = await verifyWebhook(req.headers, body, secret);
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        res.writeHead(401).end();
        return;
      }
      const id = String(req.headers['webhook-id']);
      if (!seen.has(id)) {
        seen.add(id);
        if (seen.size > MAX_REMEMBERED) seen.delete(seen.values().next().value!);
        print(JSON.stringify(event));
      }
      res.writeHead(204).end();
    })().catch(() => res.writeHead(500).end());
  });
}

if (require.main === module) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('Set WEBHOOK_SECRET to the Secret that POST /webhooks answered.');
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 8787);
  const host = process.env.HOST ?? '127.0.0.1';
  webhookReceiver(secret).listen(port, host, () => console.error(`listening on http://${host}:${port}/hooks`));
}
