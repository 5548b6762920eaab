/**
 * A Desktop of 5,000 agents over the WebSocket, end to end with the reference instance on the
 * shared local stack, whose gateway closes a frame over 32 KB with 1009 as API Gateway does. Before the fix the
 * instance sent the list as one frame (5,000 names of 30+ characters: about 190 KB), was closed and reconnected
 * forever, and no pop ever reached it. Now it sends the list in parts of one frame each and the server applies them
 * as one list.
 */
import { MAX_DESKTOP_AGENTS } from '../../../contract/limits';
import { sharedStack, startTestInstance, stopTestInstances, TestTenant } from '../support/instanceHarness';

jest.setTimeout(60_000);
afterEach(stopTestInstances);

describe('a Desktop of 5,000 agents', () => {
  test('connects once, is held whole, and a pop to agent 4,999 arrives and opens', async () => {
    const tenant = await TestTenant.create(sharedStack());
    // 30+ characters each (the measure), one of them multi-byte, so the frames are measured in bytes.
    const agents = Array.from(
      { length: MAX_DESKTOP_AGENTS },
      (_, i) => `agent-${String(i).padStart(4, '0')}-of-a-very-large-desktop-é`,
    );
    const desk = await startTestInstance(sharedStack(), await tenant.newInstanceUser(), { agents });

    // A caller retries 404 while the Desktop list is still being applied (popUntilAccepted), as it would on any connect.
    const { answer } = await tenant.popUntilAccepted(
      { Username: agents[4999], Campaign: 'Sales', Reference: 'BIG-1' },
      30_000,
    );
    expect(answer.status).toBe(202);
    expect(await tenant.settled(answer.body.Result.PopId)).toMatchObject({ Username: agents[4999], Status: 'Opened' });
    expect(desk.instance.desktop.agent(agents[4999])?.current).toMatchObject({ reference: 'BIG-1' });

    // The first agent of the first part too; one socket throughout, and the server refused nothing.
    const first = await tenant.popUntilAccepted({ Username: agents[0], Campaign: 'Sales', Reference: 'BIG-2' });
    expect(first.answer.status).toBe(202);
    expect(desk.connectionIds).toHaveLength(1);
    expect(
      desk.logger.entries.filter(
        (entry) => entry.message === 'disconnected' || entry.message === 'the server reported an error',
      ),
    ).toEqual([]);
  });
});
