/**
 * Recall end to end (DELETE /pops/{PopId}): a real api-caller pops through the REST API, the
 * reference instance (in-process, instance/connector.ts) holds each pop until the test opens it (`PopGate`), and the
 * caller recalls it through the local API Gateway. Observed from both sides: GET /pops/{PopId} and the Desktop.
 */
import {
  PopGate,
  restCall,
  sharedStack,
  startTestInstance,
  stopTestInstances,
  TestTenant,
  eventually,
} from './support/instanceHarness';

const stack = () => sharedStack();
jest.setTimeout(60_000);
afterEach(stopTestInstances);

async function recall(tenant: TestTenant, popId: string) {
  return restCall(stack(), 'DELETE', `/pops/${encodeURIComponent(popId)}`, { token: await tenant.token() });
}

test('recalled before it opens: 200 Recalled, the instance drops it and acknowledges Recalled, the claim is free at once', async () => {
  const tenant = await TestTenant.create(stack());
  // The test decides when each pop opens (PopGate): the recall meets a pop still waiting, however slow the machine.
  const gate = new PopGate();
  const desk = await startTestInstance(
    stack(),
    await tenant.newInstanceUser(),
    { agents: ['agent1', 'agent2'] },
    { openGate: gate.hold },
  );
  const { answer } = await tenant.popUntilAccepted({ Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
  expect(answer.status).toBe(202);
  const popId = answer.body.Result.PopId;
  await gate.arrived(popId);
  await eventually('Delivered', async () => (await tenant.popStatus(popId)).body.Result.Status === 'Delivered');

  const recalled = await recall(tenant, popId);

  expect(recalled.status).toBe(200);
  expect(recalled.body.Result).toMatchObject({ PopId: popId, Status: 'Recalled', Reference: 'R-1' });
  await eventually('the instance to drop the pop', () =>
    desk.logger.entries.some((e) => e.message === 'pop recalled before it opened: dropped' && e.fields.PopId === popId),
  );
  // The same record for another agent, inside the claim window: accepted, not RecordOpenElsewhere.
  const other = await tenant.pop({ Username: 'agent2', Campaign: 'Sales', Reference: 'R-1' });
  expect(other.status).toBe(202);
  // Releasing the recalled pop's wait opens nothing; the other pop, released after it, opens.
  gate.open(popId);
  await gate.arrived(other.body.Result.PopId);
  gate.open(other.body.Result.PopId);
  expect(await tenant.settled(other.body.Result.PopId)).toMatchObject({ Status: 'Opened', Username: 'agent2' });
  expect(desk.instance.desktop.agent('agent1')?.current).toBeNull();
  expect((await tenant.popStatus(popId)).body.Result.Status).toBe('Recalled');
  // A repeat is answered the same and changes nothing.
  expect((await recall(tenant, popId)).body.Result).toMatchObject({ Status: 'Recalled' });
});

test('an opened pop answers 409 AlreadyOpened and stays open; another tenant gets 404 PopNotFound', async () => {
  const tenant = await TestTenant.create(stack());
  const desk = await startTestInstance(stack(), await tenant.newInstanceUser(), { agents: ['agent1'] });
  const opened = await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'R-2' });
  expect(opened.Status).toBe('Opened');

  const refused = await recall(tenant, opened.PopId);
  expect(refused.status).toBe(409);
  expect(refused.body.Error?.Code).toBe('AlreadyOpened');

  const stranger = await TestTenant.create(stack());
  const notFound = await recall(stranger, opened.PopId);
  expect(notFound.status).toBe(404);
  expect(notFound.body.Error?.Code).toBe('PopNotFound');
  expect((await tenant.popStatus(opened.PopId)).body.Result.Status).toBe('Opened');
  expect(desk.instance.desktop.agent('agent1')?.current).toMatchObject({ reference: 'R-2', popId: opened.PopId });
});
