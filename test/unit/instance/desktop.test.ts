import type { CampaignConfig, LicenceConfig } from '../../../instance/config';
import { Desktop, type DesktopPop, type PopOutcome } from '../../../instance/desktop';

const SALES: CampaignConfig = {
  name: 'Sales',
  type: 'external',
  active: true,
  allowRecordCreation: true,
  workflow: 'Sales Call',
  externalLinks: { 'Contact Name': { field: 'ContactName' }, var_ContactReason: { variable: 'ContactReason' } },
};
const SERVICE: CampaignConfig = { ...SALES, name: 'Service', allowRecordCreation: false, workflow: 'Service Call' };
const RETIRED: CampaignConfig = { ...SALES, name: 'Retired', active: false };
const INTERNAL: CampaignConfig = { ...SALES, name: 'Internal', type: 'internal', externalLinks: {} };

function desktopWith(
  licence: LicenceConfig = { type: 'PerSystem' },
  agents: string[] = ['agent1'],
  pluginEnabled = true,
): Desktop {
  let ids = 0;
  const desktop = new Desktop({
    pluginEnabled,
    licence,
    campaigns: [SALES, SERVICE, RETIRED, INTERNAL],
    now: () => new Date('2025-01-02T03:04:05.000Z'),
    newRecordId: () => `ID${++ids}`,
  });
  agents.forEach((agent) => desktop.login(agent));
  return desktop;
}

let popIds = 0;
function pop(fields: Partial<DesktopPop> = {}): DesktopPop {
  return {
    PopId: `pop-${++popIds}`,
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: 'R-1',
    ScriptData: {},
    ...fields,
  };
}

function reason(outcome: PopOutcome): string | undefined {
  return outcome.status === 'Failed' ? outcome.reason : undefined;
}

describe('Desktop rules', () => {
  test('a distinct Reference opens the record with the campaign Workflow', () => {
    const desktop = desktopWith();
    const outcome = desktop.receivePop(pop({ Reference: 'R-1' }));
    expect(outcome.status).toBe('Opened');
    expect(desktop.agent('agent1')?.current).toMatchObject({
      campaign: 'Sales',
      reference: 'R-1',
      workflow: 'Sales Call',
      created: false,
    });
  });

  test("a pop whose Reference equals the agent's current record changes nothing", () => {
    const desktop = desktopWith();
    desktop.receivePop(pop({ Reference: 'R-1', ScriptData: { 'Contact Name': 'Jane' } }));
    const before = desktop.agent('agent1');
    const outcome = desktop.receivePop(pop({ Reference: 'R-1', ScriptData: { 'Contact Name': 'Someone else' } }));
    expect(outcome.status).toBe('Unchanged');
    expect(desktop.agent('agent1')).toEqual(before);
  });

  test('a distinct Reference suspends the current record to the Activities list', () => {
    const desktop = desktopWith();
    desktop.receivePop(pop({ Reference: 'R-1' }));
    const outcome = desktop.receivePop(pop({ Reference: 'R-2' }));
    expect(outcome).toMatchObject({ status: 'Opened', suspended: { reference: 'R-1' }, record: { reference: 'R-2' } });
    const agent = desktop.agent('agent1');
    expect(agent?.current?.reference).toBe('R-2');
    expect(agent?.activities.map((record) => record.reference)).toEqual(['R-1']);
  });

  test('the same Reference in another campaign is a distinct record', () => {
    const desktop = desktopWith();
    desktop.receivePop(pop({ Campaign: 'Sales', Reference: 'R-1' }));
    expect(desktop.receivePop(pop({ Campaign: 'Service', Reference: 'R-1' })).status).toBe('Opened');
  });

  test("a pop for a record in the agent's own Activities list resumes it", () => {
    const desktop = desktopWith();
    desktop.receivePop(pop({ Reference: 'R-1', ScriptData: { 'Contact Name': 'Jane' } }));
    desktop.receivePop(pop({ Reference: 'R-2' }));
    const outcome = desktop.receivePop(pop({ Reference: 'R-1', ScriptData: { var_ContactReason: 'Renewal' } }));
    expect(outcome).toMatchObject({ status: 'Opened', resumed: true });
    const agent = desktop.agent('agent1');
    expect(agent?.current).toMatchObject({
      reference: 'R-1',
      fields: { ContactName: 'Jane' },
      variables: { ContactReason: 'Renewal' },
    });
    expect(agent?.activities.map((record) => record.reference)).toEqual(['R-2']);
  });

  test('PluginDisabled', () => {
    const desktop = desktopWith({ type: 'PerSystem' }, ['agent1'], false);
    expect(reason(desktop.receivePop(pop()))).toBe('PluginDisabled');
    desktop.setPluginEnabled(true);
    expect(desktop.receivePop(pop()).status).toBe('Opened');
  });

  test('AgentNotOnDesktop for an agent who is not logged in, or has logged out', () => {
    const desktop = desktopWith();
    expect(reason(desktop.receivePop(pop({ Username: 'stranger' })))).toBe('AgentNotOnDesktop');
    desktop.logout('agent1');
    expect(reason(desktop.receivePop(pop()))).toBe('AgentNotOnDesktop');
  });

  test('Per System licence: every Desktop user has a licence', () => {
    const desktop = desktopWith({ type: 'PerSystem' }, ['a', 'b', 'c']);
    for (const agent of ['a', 'b', 'c'])
      expect(desktop.receivePop(pop({ Username: agent, Reference: agent })).status).toBe('Opened');
  });

  test('Concurrent licence: the (N+1)th active user has no licence', () => {
    const desktop = desktopWith({ type: 'Concurrent', users: 2 }, ['a', 'b', 'c']);
    expect(desktop.receivePop(pop({ Username: 'a', Reference: 'A' })).status).toBe('Opened');
    expect(desktop.receivePop(pop({ Username: 'b', Reference: 'B' })).status).toBe('Opened');
    expect(reason(desktop.receivePop(pop({ Username: 'c', Reference: 'C' })))).toBe('NoLicence');
  });

  test('Concurrent licence: a seat freed by logout passes to the agent who has waited longest', () => {
    const desktop = desktopWith({ type: 'Concurrent', users: 1 }, ['a', 'b', 'c']);
    expect(desktop.logout('a')).toEqual({ status: 'LoggedOut', seatPassedTo: 'b' });
    expect(desktop.hasLicence('b')).toBe(true);
    expect(desktop.hasLicence('c')).toBe(false);
    expect(desktop.login('a')).toEqual({ status: 'LoggedIn', licensed: false });
  });

  test('Named licence: an unassigned agent has no licence', () => {
    const desktop = desktopWith({ type: 'Named', users: 2, assigned: ['agent1'] }, ['agent1', 'agent2']);
    expect(desktop.receivePop(pop({ Username: 'agent1' })).status).toBe('Opened');
    expect(reason(desktop.receivePop(pop({ Username: 'agent2', Reference: 'R-9' })))).toBe('NoLicence');
  });

  test('UnknownCampaign for an unknown campaign', () => {
    expect(reason(desktopWith().receivePop(pop({ Campaign: 'Nope' })))).toBe('UnknownCampaign');
  });

  test('UnknownCampaign for an inactive campaign', () => {
    expect(reason(desktopWith().receivePop(pop({ Campaign: 'Retired' })))).toBe('UnknownCampaign');
  });

  test('campaign names match exactly (as the server claims Campaign+Reference)', () => {
    expect(reason(desktopWith().receivePop(pop({ Campaign: 'sales' })))).toBe('UnknownCampaign');
  });

  test('External Links are case-insensitive', () => {
    const desktop = desktopWith();
    const outcome = desktop.receivePop(pop({ ScriptData: { 'CONTACT NAME': 'Jane', VAR_contactreason: 'Renewal' } }));
    expect(outcome).toMatchObject({
      status: 'Opened',
      record: { fields: { ContactName: 'Jane' }, variables: { ContactReason: 'Renewal' } },
    });
  });

  test('var_ keys fill Workflow Variables', () => {
    const desktop = desktopWith();
    const outcome = desktop.receivePop(
      pop({ ScriptData: { var_ContactReason: 'Renewal', var_Priority: 3, Unlinked: 'x' } }),
    );
    expect(outcome).toMatchObject({
      status: 'Opened',
      record: { fields: {}, variables: { ContactReason: 'Renewal', Priority: 3 } },
      unlinkedKeys: ['Unlinked'],
    });
  });

  test('internal campaigns take ScriptData into the record without links', () => {
    const desktop = desktopWith();
    const outcome = desktop.receivePop(
      pop({ Campaign: 'Internal', ScriptData: { Anything: 'a', var_Why: 'b', 'Contact Name': 'c' } }),
    );
    expect(outcome).toMatchObject({
      status: 'Opened',
      record: { fields: { Anything: 'a', 'Contact Name': 'c' }, variables: { Why: 'b' } },
    });
  });

  test('record already open for another agent -> RecordOpenElsewhere', () => {
    const desktop = desktopWith({ type: 'PerSystem' }, ['agent1', 'agent2']);
    desktop.receivePop(pop({ Username: 'agent1', Reference: 'R-1' }));
    expect(reason(desktop.receivePop(pop({ Username: 'agent2', Reference: 'R-1' })))).toBe('RecordOpenElsewhere');
    // Suspended in agent1's Activities list, the record is still held by agent1.
    desktop.receivePop(pop({ Username: 'agent1', Reference: 'R-2' }));
    expect(reason(desktop.receivePop(pop({ Username: 'agent2', Reference: 'R-1' })))).toBe('RecordOpenElsewhere');
    // Released when agent1 leaves the Desktop.
    desktop.logout('agent1');
    expect(desktop.receivePop(pop({ Username: 'agent2', Reference: 'R-1' })).status).toBe('Opened');
  });

  test('no Reference + creation allowed -> CSAUTO- reference', () => {
    const desktop = desktopWith();
    const first = desktop.receivePop(pop({ Reference: undefined }));
    const second = desktop.receivePop(pop({ Reference: '' }));
    expect(first).toMatchObject({ status: 'Opened', record: { reference: 'CSAUTO-ID1', created: true } });
    expect(second).toMatchObject({
      status: 'Opened',
      record: { reference: 'CSAUTO-ID2' },
      suspended: { reference: 'CSAUTO-ID1' },
    });
  });

  test('no Reference + creation not allowed -> RecordCreationNotAllowed', () => {
    expect(reason(desktopWith().receivePop(pop({ Campaign: 'Service', Reference: undefined })))).toBe(
      'RecordCreationNotAllowed',
    );
  });

  test('checks run in order: plugin, agent, licence, campaign', () => {
    const off = desktopWith({ type: 'Named', users: 1, assigned: [] }, ['agent1'], false);
    expect(reason(off.receivePop(pop({ Username: 'x', Campaign: 'Nope' })))).toBe('PluginDisabled');
    const named = desktopWith({ type: 'Named', users: 1, assigned: [] }, ['agent1']);
    expect(reason(named.receivePop(pop({ Username: 'x', Campaign: 'Nope' })))).toBe('AgentNotOnDesktop');
    expect(reason(named.receivePop(pop({ Campaign: 'Nope' })))).toBe('NoLicence');
  });

  test('logout closes the session: current record and Activities go with it', () => {
    const desktop = desktopWith();
    desktop.receivePop(pop({ Reference: 'R-1' }));
    desktop.logout('agent1');
    desktop.login('agent1');
    expect(desktop.agent('agent1')).toMatchObject({ current: null, activities: [] });
    expect(desktop.agentNames()).toEqual(['agent1']);
  });
});
