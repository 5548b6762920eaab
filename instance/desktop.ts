/**
 * A faithful, pure model of the Scripting product's Desktop rules for Remote Pop: who is on the Desktop, who holds a
 * licence, which campaigns exist, each agent's current record and Activities list, and what a pop does to them.
 * No I/O: the clock and the id generator are injected, and every decision is returned as a value.
 */
import { randomBytes } from 'crypto';
import type { ScriptValue } from '../contract/rest';
import type { FailureReason as AckReason } from '../contract/statuses';
import type { PopMessage } from '../contract/webSocket';
import type { CampaignConfig, LicenceConfig } from './config';

export type { ScriptValue };

/** What the Desktop reads of a pop (contract/webSocket.ts `PopMessage`); a pop without ScriptData fills nothing. */
export type DesktopPop = Pick<PopMessage, 'PopId' | 'Username' | 'Campaign' | 'Reference'> &
  Partial<Pick<PopMessage, 'ScriptData' | 'SentAt'>>;

/** The reasons the Desktop itself gives; `Undeliverable` is the API's (and the connector's when the Desktop throws). */
export type FailureReason = Exclude<AckReason, 'Undeliverable'>;

export interface DesktopRecord {
  readonly campaign: string;
  readonly reference: string;
  readonly workflow: string;
  /** Field name -> value, filled through External Links (external) or taken as sent (internal). */
  readonly fields: Readonly<Record<string, ScriptValue>>;
  /** Workflow Variable name -> value, from `var_` keys. */
  readonly variables: Readonly<Record<string, ScriptValue>>;
  /** True when the instance made the record because the pop had no Reference. */
  readonly created: boolean;
  readonly popId: string;
  readonly openedAt: string;
}

export type PopOutcome =
  | {
      readonly status: 'Opened';
      readonly record: DesktopRecord;
      /** The agent's previous record, now at the top of the Activities list. */
      readonly suspended?: DesktopRecord;
      /** The record came back from the agent's own Activities list. */
      readonly resumed: boolean;
      /** ScriptData keys that no External Link names (external campaigns): ignored, reported for the log. */
      readonly unlinkedKeys: readonly string[];
    }
  | { readonly status: 'Unchanged'; readonly record: DesktopRecord }
  | { readonly status: 'Failed'; readonly reason: FailureReason; readonly message: string };

export interface AgentView {
  readonly username: string;
  readonly loggedInAt: string;
  readonly licensed: boolean;
  readonly current: DesktopRecord | null;
  /** Most recently suspended first. */
  readonly activities: readonly DesktopRecord[];
}

export type LoginResult =
  | { readonly status: 'LoggedIn'; readonly licensed: boolean }
  | { readonly status: 'AlreadyLoggedIn'; readonly licensed: boolean };

export type LogoutResult =
  { readonly status: 'LoggedOut'; readonly seatPassedTo?: string } | { readonly status: 'NotLoggedIn' };

export type CloseResult =
  | { readonly status: 'Closed'; readonly campaign: string; readonly reference: string }
  | { readonly status: 'NoRecord' }
  | { readonly status: 'NotLoggedIn' };

export interface DesktopOptions {
  readonly pluginEnabled: boolean;
  readonly licence: LicenceConfig;
  readonly campaigns: readonly CampaignConfig[];
  readonly now?: () => Date;
  /** The unique part of a created record's reference, `CSAUTO-<id>`. */
  readonly newRecordId?: () => string;
}

interface AgentState {
  readonly username: string;
  readonly loggedInAt: Date;
  current: DesktopRecord | null;
  activities: DesktopRecord[];
}

const CREATED_REFERENCE_PREFIX = 'CSAUTO-';
const VARIABLE_PREFIX = /^var_/i;

const defaultRecordId = (): string => randomBytes(6).toString('hex').toUpperCase();

export class Desktop {
  private pluginEnabled: boolean;
  private readonly licence: LicenceConfig;
  private campaigns: ReadonlyMap<string, CampaignConfig>;
  private readonly now: () => Date;
  private readonly newRecordId: () => string;
  /** In login order. */
  private readonly agents = new Map<string, AgentState>();
  /** Concurrent licence: the seat holders, in the order they got a seat. */
  private readonly seats: string[] = [];

  constructor(options: DesktopOptions) {
    this.pluginEnabled = options.pluginEnabled;
    this.licence = options.licence;
    this.campaigns = new Map(options.campaigns.map((campaign) => [campaign.name, campaign]));
    this.now = options.now ?? (() => new Date());
    this.newRecordId = options.newRecordId ?? defaultRecordId;
  }

  /** The configuration changed: the campaigns from now on (records already open stay as they are). */
  setCampaigns(campaigns: readonly CampaignConfig[]): void {
    this.campaigns = new Map(campaigns.map((campaign) => [campaign.name, campaign]));
  }

  /** Concurrent licence: seats free now; undefined for the other licences. */
  seatsLeft(): number | undefined {
    return this.licence.type === 'Concurrent' ? this.licence.users - this.seats.length : undefined;
  }

  get isPluginEnabled(): boolean {
    return this.pluginEnabled;
  }

  setPluginEnabled(enabled: boolean): void {
    this.pluginEnabled = enabled;
  }

  /** The agents on the Desktop, in login order: the list sent as `{"Action":"Desktop"}`. */
  agentNames(): string[] {
    return [...this.agents.keys()];
  }

  isOnDesktop(username: string): boolean {
    return this.agents.has(username);
  }

  login(username: string): LoginResult {
    if (this.agents.has(username)) return { status: 'AlreadyLoggedIn', licensed: this.hasLicence(username) };
    this.agents.set(username, { username, loggedInAt: this.now(), current: null, activities: [] });
    if (this.licence.type === 'Concurrent' && this.seats.length < this.licence.users) this.seats.push(username);
    return { status: 'LoggedIn', licensed: this.hasLicence(username) };
  }

  /** Leaving the Desktop ends the agent's session: the current record and the Activities list close with it. */
  logout(username: string): LogoutResult {
    if (!this.agents.delete(username)) return { status: 'NotLoggedIn' };
    const seat = this.seats.indexOf(username);
    if (seat < 0) return { status: 'LoggedOut' };
    this.seats.splice(seat, 1);
    // The freed seat goes to the agent who has waited longest (earliest login without a seat).
    const next = [...this.agents.keys()].find((name) => !this.seats.includes(name));
    if (next === undefined) return { status: 'LoggedOut' };
    this.seats.push(next);
    return { status: 'LoggedOut', seatPassedTo: next };
  }

  /**
   * The agent closes the current record (wrap-up done). The Activities list stays as it is, and the next pop opens
   * without suspending anything. The server's record claim is not touched: it ends with its claim window.
   */
  closeRecord(username: string): CloseResult {
    const agent = this.agents.get(username);
    if (!agent) return { status: 'NotLoggedIn' };
    const closed = agent.current;
    if (!closed) return { status: 'NoRecord' };
    agent.current = null;
    return { status: 'Closed', campaign: closed.campaign, reference: closed.reference };
  }

  /**
   * Per System: every Desktop user. Concurrent: the first N agents to log in hold the N seats until they log out.
   * Named: only the assigned agents (at most N, checked in the config).
   */
  hasLicence(username: string): boolean {
    if (!this.agents.has(username)) return false;
    switch (this.licence.type) {
      case 'PerSystem':
        return true;
      case 'Concurrent':
        return this.seats.includes(username);
      case 'Named':
        return this.licence.assigned.includes(username);
    }
  }

  agent(username: string): AgentView | undefined {
    const state = this.agents.get(username);
    return state && this.view(state);
  }

  listAgents(): AgentView[] {
    return [...this.agents.values()].map((state) => this.view(state));
  }

  /** Applies one pop to the Desktop. The checks run in the order the product applies them. */
  receivePop(pop: DesktopPop): PopOutcome {
    const failed = (reason: FailureReason, message: string): PopOutcome => ({ status: 'Failed', reason, message });
    if (!this.pluginEnabled) return failed('PluginDisabled', 'the Cloud API plugin is disabled on this instance');
    const agent = this.agents.get(pop.Username);
    if (!agent) return failed('AgentNotOnDesktop', `agent "${pop.Username}" is not on this instance's Desktop`);
    if (!this.hasLicence(agent.username)) {
      return failed('NoLicence', `agent "${agent.username}" holds no ${this.licence.type} licence`);
    }
    const campaign = this.campaigns.get(pop.Campaign);
    if (!campaign) return failed('UnknownCampaign', `campaign "${pop.Campaign}" does not exist`);
    if (!campaign.active) return failed('UnknownCampaign', `campaign "${pop.Campaign}" is not active`);

    const given = typeof pop.Reference === 'string' && pop.Reference.trim() !== '' ? pop.Reference : undefined;
    if (given === undefined && !campaign.allowRecordCreation) {
      return failed(
        'RecordCreationNotAllowed',
        `the pop has no Reference and campaign "${campaign.name}" does not allow record creation`,
      );
    }
    if (given !== undefined) {
      if (agent.current && agent.current.campaign === campaign.name && agent.current.reference === given) {
        return { status: 'Unchanged', record: agent.current };
      }
      const holder = this.holderOf(campaign.name, given, agent.username);
      if (holder) {
        return failed('RecordOpenElsewhere', `record ${campaign.name}/${given} is open for agent "${holder}"`);
      }
    }

    const { fields, variables, unlinkedKeys } = mapScriptData(campaign, pop.ScriptData ?? {});
    const resumedIndex =
      given === undefined
        ? -1
        : agent.activities.findIndex((record) => record.campaign === campaign.name && record.reference === given);
    const resumed = resumedIndex >= 0 ? agent.activities.splice(resumedIndex, 1)[0] : undefined;
    const record: DesktopRecord = {
      campaign: campaign.name,
      reference: given ?? `${CREATED_REFERENCE_PREFIX}${this.newRecordId()}`,
      workflow: campaign.workflow,
      fields: { ...resumed?.fields, ...fields },
      variables: { ...resumed?.variables, ...variables },
      created: given === undefined,
      popId: pop.PopId,
      openedAt: this.now().toISOString(),
    };
    const suspended = agent.current ?? undefined;
    if (suspended) agent.activities.unshift(suspended);
    agent.current = record;
    return { status: 'Opened', record, suspended, resumed: resumed !== undefined, unlinkedKeys };
  }

  /** Another agent of this instance with the record current or suspended in their Activities list. */
  private holderOf(campaign: string, reference: string, except: string): string | undefined {
    const holds = (record: DesktopRecord | null): boolean =>
      record !== null && record.campaign === campaign && record.reference === reference;
    for (const state of this.agents.values()) {
      if (state.username === except) continue;
      if (holds(state.current) || state.activities.some(holds)) return state.username;
    }
    return undefined;
  }

  private view(state: AgentState): AgentView {
    return {
      username: state.username,
      loggedInAt: state.loggedInAt.toISOString(),
      licensed: this.hasLicence(state.username),
      current: state.current,
      activities: [...state.activities],
    };
  }
}

/**
 * External campaigns: each ScriptData key goes through the External Link of the same name, compared
 * case-insensitively; a `var_` key with no link fills the Workflow Variable named after the prefix; other unlinked
 * keys are ignored (and reported). Internal campaigns take every key as it is: `var_X` to Variable X, the rest to Fields.
 */
export function mapScriptData(
  campaign: CampaignConfig,
  scriptData: Readonly<Record<string, ScriptValue>>,
): { fields: Record<string, ScriptValue>; variables: Record<string, ScriptValue>; unlinkedKeys: string[] } {
  // Keyed by the caller's names: no prototype, so a `__proto__` key is a field like any other.
  const fields: Record<string, ScriptValue> = Object.create(null) as Record<string, ScriptValue>;
  const variables: Record<string, ScriptValue> = Object.create(null) as Record<string, ScriptValue>;
  const unlinkedKeys: string[] = [];
  const links = new Map(Object.entries(campaign.externalLinks).map(([key, link]) => [key.toLowerCase(), link]));
  for (const [key, value] of Object.entries(scriptData)) {
    const link = campaign.type === 'external' ? links.get(key.toLowerCase()) : undefined;
    if (link && 'field' in link) fields[link.field] = value;
    else if (link) variables[link.variable] = value;
    else if (VARIABLE_PREFIX.test(key) && key.length > 4) variables[key.slice(4)] = value;
    else if (campaign.type === 'internal') fields[key] = value;
    else unlinkedKeys.push(key);
  }
  return { fields, variables, unlinkedKeys };
}
