/**
 * Wires one reference Scripting instance together: the Desktop model, the connector and (optionally) the local
 * control surface. `startInstance` is what the CLI runs and what in-process tests call.
 */
import { AuthClient } from './auth';
import type { InstanceConfig } from './config';
import { Connector, type AckDecision, type Clock, type WebSocketFactory } from './connector';
import { startControlServer, type ControlServer, type InstanceControl } from './control';
import { Desktop, type DesktopPop } from './desktop';
import { DesktopFeed, type InstanceState } from './desktopPage/feed';
import { desktopPageHandler } from './desktopPage/server';
import { createConsoleLogger, type Logger } from './log';
import { createPopHandler } from './popHandler';
import { catalogueMessages, licenceMessages } from './catalogue';
import type { CampaignConfig } from './config';
import type { InstanceMessage, PopMessage } from '../contract/webSocket';

export interface StartOptions {
  readonly logger?: Logger;
  readonly webSocketFactory?: WebSocketFactory;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** The Desktop's clock and created-record ids (CSAUTO-<id>). */
  readonly now?: () => Date;
  readonly newRecordId?: () => string;
  /** Start the control surface on this port, overriding the config; here 0 means any free port. */
  readonly controlPort?: number;
  /** How long each pop waits before it opens, during which a Recall drops it (Connector's `openDelayMs`). @default 0 */
  readonly openDelayMs?: number;
  /** Instead of `openDelayMs`: each pop opens when this settles (Connector's `openGate`; tests decide when). */
  readonly openGate?: (pop: PopMessage) => Promise<void>;
}

export interface RunningInstance {
  readonly config: InstanceConfig;
  readonly desktop: Desktop;
  readonly connector: Connector;
  /** The control surface, when enabled (config.controlPort > 0 or options.controlPort). */
  readonly control?: ControlServer;
  /** The configuration's campaigns changed: the Desktop uses them and the catalogue is published again. */
  setCampaigns(campaigns: readonly CampaignConfig[]): void;
  /** Closes the connection and the control surface; idempotent. */
  stop(): Promise<void>;
}

/**
 * What the instance publishes about itself (instance/catalogue.ts): its catalogue and its agents' licences, each
 * message with a Sequence that only grows, so the API never lets an older update overwrite a newer one.
 */
class Publisher {
  private sequence = 0;
  constructor(
    private readonly desktop: Desktop,
    private readonly licence: InstanceConfig['licence'],
    public campaigns: readonly CampaignConfig[],
    /** false: an older instance, which publishes nothing (config `publishCatalogue`). */
    private readonly enabled: boolean,
  ) {}

  catalogue(): InstanceMessage[] {
    if (!this.enabled) return [];
    return catalogueMessages(this.campaigns, ++this.sequence);
  }

  /** Licence states of these agents (all on the Desktop by default). */
  licences(agents: readonly string[] = this.desktop.agentNames()): InstanceMessage[] {
    if (!this.enabled) return [];
    const states = agents
      .filter((a) => this.desktop.isOnDesktop(a))
      .map((a) => ({ Username: a, Licensed: this.desktop.hasLicence(a) }));
    return licenceMessages(this.licence, this.desktop.seatsLeft(), states, ++this.sequence);
  }
}

/** The Desktop model and the connector that feeds it pops; `afterPop` hears each pop's outcome (the Desktop page). */
function buildCore(
  config: InstanceConfig,
  options: StartOptions,
  log: Logger,
  afterPop: (pop: DesktopPop, decision: AckDecision) => void,
): { desktop: Desktop; connector: Connector; publisher: Publisher } {
  const desktop = new Desktop({
    pluginEnabled: config.plugin.enabled,
    licence: config.licence,
    campaigns: config.campaigns,
    now: options.now,
    newRecordId: options.newRecordId,
  });
  const handlePop = createPopHandler(desktop, log);
  const publisher = new Publisher(desktop, config.licence, config.campaigns, config.publishCatalogue);
  const connector = new Connector({
    webSocketUrl: config.webSocketUrl,
    instanceName: config.instanceName,
    auth: new AuthClient({
      authUrl: config.authUrl,
      refreshUrl: config.refreshUrl,
      username: config.username,
      password: config.password,
      fetch: options.fetch,
    }),
    desktopAgents: () => desktop.agentNames(),
    afterDesktop: () => [...publisher.catalogue(), ...publisher.licences()],
    onPop: (pop) => {
      const decision = handlePop(pop);
      afterPop(pop, decision);
      return decision;
    },
    logger: log,
    heartbeatMs: config.heartbeatSeconds * 1000,
    reconnect: config.reconnect,
    maxConnectionMs: config.maxConnectionMinutes * 60_000,
    overlapMs: config.overlapSeconds * 1000,
    webSocketFactory: options.webSocketFactory,
    clock: options.clock,
    random: options.random,
    openDelayMs: options.openDelayMs,
    openGate: options.openGate,
  });
  return { desktop, connector, publisher };
}

function instanceState(config: InstanceConfig, desktop: Desktop, connector: Connector): InstanceState {
  return {
    instance: config.instanceName,
    connected: connector.isConnected,
    pluginEnabled: desktop.isPluginEnabled,
    licence: config.licence,
  };
}

/** The Desktop page's feed, reading the same state as the control surface. */
function feedOf(config: InstanceConfig, desktop: Desktop, connector: Connector): DesktopFeed {
  const feed = new DesktopFeed({
    instance: () => instanceState(config, desktop, connector),
    agent: (username) => desktop.agent(username),
    agents: () => desktop.listAgents(),
  });
  feed.watchConnection();
  return feed;
}

/**
 * What the control surface may do: each change to the Desktop is logged, told to the server and, when the Desktop
 * page runs, to its feed.
 */
function controlOf(
  config: InstanceConfig,
  { desktop, connector, publisher }: { desktop: Desktop; connector: Connector; publisher: Publisher },
  log: Logger,
  feed?: DesktopFeed,
): InstanceControl {
  return {
    status: () => ({
      ...instanceState(config, desktop, connector),
      campaigns: publisher.campaigns.map(({ name, type, active, workflow }) => ({ name, type, active, workflow })),
      agents: desktop.listAgents(),
    }),
    agent: (username) => desktop.agent(username),
    login: (username) => {
      const result = desktop.login(username);
      if (result.status === 'LoggedIn') {
        log.info('agent login', { agent: username, licensed: result.licensed });
        connector.login(username);
        connector.publish(publisher.licences([username]));
        feed?.agentChanged(username);
      }
      return result;
    },
    logout: (username) => {
      const result = desktop.logout(username);
      if (result.status === 'LoggedOut') {
        log.info('agent logout', { agent: username });
        if (result.seatPassedTo) log.info('Concurrent licence seat passed on', { agent: result.seatPassedTo });
        connector.logout(username);
        if (result.seatPassedTo) connector.publish(publisher.licences([result.seatPassedTo]));
        feed?.agentChanged(username);
        if (result.seatPassedTo) feed?.agentChanged(result.seatPassedTo);
      }
      return result;
    },
    closeRecord: (username) => {
      const result = desktop.closeRecord(username);
      if (result.status === 'Closed') {
        log.info('record closed', { agent: username, campaign: result.campaign, reference: result.reference });
        feed?.agentChanged(username);
      }
      return result;
    },
    setPluginEnabled: (enabled) => {
      desktop.setPluginEnabled(enabled);
      log.info(enabled ? 'Cloud API plugin enabled' : 'Cloud API plugin disabled: pops will fail with PluginDisabled');
      if (enabled && !connector.isStarted) connector.start();
      feed?.instanceChanged();
    },
  };
}

export async function startInstance(config: InstanceConfig, options: StartOptions = {}): Promise<RunningInstance> {
  const log = options.logger ?? createConsoleLogger(config.logLevel);
  const port = options.controlPort ?? (config.controlPort > 0 ? config.controlPort : undefined);
  let feed: DesktopFeed | undefined;
  const core = buildCore(config, options, log, (pop, decision) => feed?.popHandled(pop, decision));
  const { desktop, connector, publisher } = core;
  if (port !== undefined) feed = feedOf(config, desktop, connector);

  for (const agent of config.agents) {
    const result = desktop.login(agent);
    log.info('agent login', { agent, licensed: result.licensed });
  }

  if (config.plugin.enabled) {
    log.info('starting', { instance: config.instanceName, user: config.username, webSocketUrl: config.webSocketUrl });
    connector.start();
  } else {
    log.warn(
      'the Cloud API plugin is disabled (plugin.enabled: false): not connecting; pops for these agents cannot reach this instance',
      {
        instance: config.instanceName,
      },
    );
  }

  const controlServer =
    port === undefined || !feed
      ? undefined
      : await startControlServer(controlOf(config, core, log, feed), port, desktopPageHandler(feed));
  if (controlServer) {
    log.info('control surface listening', { url: `http://127.0.0.1:${controlServer.port}/agents` });
    log.info('Desktop page', { url: `http://127.0.0.1:${controlServer.port}/` });
  }

  let stopping: Promise<void> | undefined;
  return {
    config,
    desktop,
    connector,
    control: controlServer,
    setCampaigns: (campaigns) => {
      desktop.setCampaigns(campaigns);
      publisher.campaigns = campaigns;
      log.info('campaigns changed; publishing the catalogue again', { campaigns: campaigns.length });
      connector.publish(publisher.catalogue());
    },
    stop: () => {
      feed?.close();
      stopping ??= Promise.all([connector.stop(), controlServer?.close()]).then(() => undefined);
      return stopping;
    },
  };
}
