/**
 * A CRM's screen pop, as an integration would write it: on an incoming call, pop the Sales Workflow onto the agent's
 * Desktop with the caller's details, wait until the Workflow opened, and print the outcome.
 *
 *   REMOTE_POP_URL=http://127.0.0.1:3000/v1 REMOTE_POP_USERNAME=demo-api REMOTE_POP_PASSWORD=... \
 *     npx tsx examples/crm-incoming-call.ts agent1 +441632960001
 *
 * In your own project the import is `from '@remote-pop/client'` (sdk/README.md); here it is the SDK's source.
 * Run by test/e2e/sdk/sdkLocalStack.test.ts against the local stack. Exit code 0 when the Workflow opened.
 */
import { RefusedError, RemotePopClient, RemotePopError } from '../sdk/src';

interface IncomingCall {
  readonly agent: string;
  readonly callerNumber: string;
  readonly callId: string;
}

/** The CRM's lookup of the caller (a fixed record here). */
function customerFor(callerNumber: string) {
  return { reference: `CUST-${callerNumber.replace(/\D/g, '').slice(-6)}`, name: 'Ada Lovelace', reason: 'Renewal' };
}

async function onIncomingCall(client: RemotePopClient, call: IncomingCall): Promise<number> {
  const customer = customerFor(call.callerNumber);
  // The call id as Idempotency-Key: if this handler runs twice for one call, the agent gets one pop.
  const popId = await client.pop(
    {
      Username: call.agent,
      Campaign: 'Sales',
      Reference: customer.reference,
      ScriptData: { 'Contact Name': customer.name, var_ContactReason: customer.reason },
    },
    { idempotencyKey: `call-${call.callId}` },
  );
  console.log(`popped ${popId} for ${call.agent}`);
  const pop = await client.waitFor(popId, { until: 'Opened', timeoutMs: 15_000 });
  console.log(`outcome: ${pop.Status} (record ${pop.Reference ?? 'new'})`);
  return 0;
}

async function main(): Promise<number> {
  const [agent = 'agent1', callerNumber = '+441632960001'] = process.argv.slice(2);
  const { REMOTE_POP_URL, REMOTE_POP_USERNAME, REMOTE_POP_PASSWORD } = process.env;
  if (!REMOTE_POP_URL || !REMOTE_POP_USERNAME || !REMOTE_POP_PASSWORD) {
    console.error('Set REMOTE_POP_URL, REMOTE_POP_USERNAME and REMOTE_POP_PASSWORD (npm start prints them).');
    return 2;
  }
  const client = new RemotePopClient({
    baseUrl: REMOTE_POP_URL,
    username: REMOTE_POP_USERNAME,
    password: REMOTE_POP_PASSWORD,
  });
  try {
    return await onIncomingCall(client, { agent, callerNumber, callId: `${Date.now()}` });
  } catch (error) {
    if (!(error instanceof RemotePopError)) throw error;
    // A refusal needs a person (agent not logged in, campaign unknown); an outage can wait for the next call.
    console.error(
      `outcome: ${error instanceof RefusedError ? 'refused' : 'not delivered'} ${error.code}${error.requestId ? ` (RequestId ${error.requestId})` : ''}`,
    );
    return 1;
  }
}

main().then((code) => (process.exitCode = code));
