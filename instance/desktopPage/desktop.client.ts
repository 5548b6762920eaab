/// <reference lib="dom" />
/**
 * The Desktop page in the browser (bundled by assets.ts). State comes from `GET /events` (server.ts): a snapshot,
 * then one event per change. Events only mark what changed; the page is drawn at most once per animation frame, so
 * 50 pops a second cost one render per frame, and no event is dropped (each is applied to the state as it arrives).
 */
import type { AgentView, DesktopRecord } from '../desktop';
import { byId, el, eventData, oncePerFrame, time } from './dom';
import type { DesktopSnapshot, FeedEvent, InstanceState, PopEntry } from './feed';

const MAX_POPS = 200;

const state = {
  instance: undefined as InstanceState | undefined,
  agents: new Map<string, AgentView>(),
  pops: new Map<string, PopEntry[]>(),
  popsHandled: 0,
  selected: undefined as string | undefined,
};
/** What the next frame must draw. */
const dirty = { header: true, list: true, agents: new Set<string>() };
const scheduleRender = oncePerFrame(render);

function applySnapshot(snapshot: DesktopSnapshot): void {
  state.instance = snapshot.instance;
  state.popsHandled = snapshot.popsHandled;
  state.agents = new Map(snapshot.agents.map((agent) => [agent.username, agent]));
  state.pops = new Map(Object.entries(snapshot.pops).map(([name, pops]) => [name, [...pops]]));
  dirty.header = true;
  dirty.list = true;
}

function applyEvent(event: FeedEvent): void {
  if (event.type === 'instance') {
    state.instance = event.instance;
    dirty.header = true;
    return;
  }
  const username = event.type === 'pop' ? event.pop.username : event.username;
  if (event.type === 'pop') {
    const list = state.pops.get(username) ?? [];
    list.unshift(event.pop);
    if (list.length > MAX_POPS) list.length = MAX_POPS;
    state.pops.set(username, list);
    state.popsHandled = event.popsHandled;
    dirty.header = true;
  }
  const wasOnDesktop = state.agents.has(username);
  if (event.agent) state.agents.set(username, event.agent);
  else state.agents.delete(username);
  if (wasOnDesktop !== state.agents.has(username)) dirty.list = true;
  dirty.agents.add(username);
}

function connect(): void {
  const source = new EventSource('events');
  source.addEventListener('snapshot', (message) => {
    applySnapshot(eventData<DesktopSnapshot>(message));
    scheduleRender();
  });
  for (const type of ['pop', 'agent', 'instance']) {
    source.addEventListener(type, (message) => {
      applyEvent(eventData<FeedEvent>(message));
      scheduleRender();
    });
  }
  // EventSource reconnects by itself; the next snapshot replaces everything, so nothing is missed across a gap.
  source.onerror = () => {
    if (state.instance) state.instance = { ...state.instance, connected: false };
    byId('connection').textContent = 'page offline';
    byId('connection').className = 'pill bad';
  };
}

function renderHeader(): void {
  const instance = state.instance;
  if (!instance) return;
  byId('instance-name').textContent = instance.instance;
  const connection = byId('connection');
  connection.textContent = instance.connected ? 'connected' : 'disconnected';
  connection.className = `pill ${instance.connected ? 'good' : 'bad'}`;
  byId('pop-count').textContent = String(state.popsHandled);
  const toggle = byId('plugin-toggle');
  toggle.setAttribute('aria-pressed', String(instance.pluginEnabled));
  toggle.textContent = `Cloud API plugin: ${instance.pluginEnabled ? 'on' : 'off'}`;
  byId('agent-count').textContent = String(state.agents.size);
}

function agentLink(agent: AgentView): HTMLElement {
  const link = el(
    'a',
    { href: `#agent=${encodeURIComponent(agent.username)}`, 'data-agent': agent.username },
    el('span', { class: 'name' }, agent.username),
    el('span', { class: 'count num' }),
    el('span', { class: 'last' }),
  );
  const item = el('li', {}, link);
  fillAgentLink(item, agent);
  return item;
}

function fillAgentLink(item: HTMLElement, agent: AgentView): void {
  const pops = state.pops.get(agent.username) ?? [];
  const link = item.firstElementChild as HTMLElement;
  item.className = agent.licensed ? '' : 'unlicensed';
  (link.querySelector('.count') as HTMLElement).textContent = String(pops.length);
  const last = link.querySelector('.last') as HTMLElement;
  last.textContent = pops[0]?.status ?? '';
  last.className = `last ${pops[0] ? `status-${pops[0].status}` : ''}`;
  if (agent.username === state.selected) link.setAttribute('aria-current', 'page');
  else link.removeAttribute('aria-current');
}

const listItems = new Map<string, HTMLElement>();

function renderList(): void {
  if (dirty.list) {
    listItems.clear();
    const items = [...state.agents.values()].map((agent) => {
      const item = agentLink(agent);
      listItems.set(agent.username, item);
      return item;
    });
    byId('agent-list').replaceChildren(...items);
    applyFilter();
    return;
  }
  for (const username of dirty.agents) {
    const agent = state.agents.get(username);
    const item = listItems.get(username);
    if (agent && item) fillAgentLink(item, agent);
  }
}

function applyFilter(): void {
  const text = (byId<HTMLInputElement>('agent-filter').value ?? '').trim().toLowerCase();
  for (const [username, item] of listItems) item.hidden = text !== '' && !username.toLowerCase().includes(text);
}

function recordFacts(record: DesktopRecord): HTMLElement {
  const facts = el('dl', { class: 'facts' });
  const rows: [string, string][] = [
    ['Campaign', record.campaign],
    ['Reference', record.reference + (record.created ? ' (created)' : '')],
    ['Workflow', record.workflow],
    ['Opened', time(record.openedAt)],
  ];
  for (const [name, value] of rows) facts.append(el('dt', {}, name), el('dd', {}, value));
  return facts;
}

function valuesTable(caption: string, values: Readonly<Record<string, unknown>>): HTMLElement[] {
  const entries = Object.entries(values);
  const rows = entries.map(([name, value]) =>
    el('tr', {}, el('th', { scope: 'row' }, name), el('td', {}, String(value))),
  );
  return [
    el('h4', {}, caption),
    entries.length
      ? el('table', { class: 'kv', 'data-values': caption }, el('tbody', {}, ...rows))
      : el('p', { class: 'muted' }, 'none'),
  ];
}

function renderRecord(agent: AgentView): void {
  const record = agent.current;
  const body = record
    ? [
        recordFacts(record),
        ...valuesTable('Fields', record.fields),
        ...valuesTable('Workflow Variables', record.variables),
      ]
    : [el('p', { class: 'empty' }, 'No record open.')];
  byId('record').replaceChildren(...body);
  byId<HTMLButtonElement>('close-record').disabled = !record;
  const activities = agent.activities.map((suspended) =>
    el(
      'li',
      {},
      el('strong', {}, `${suspended.campaign} / ${suspended.reference}`),
      ` · ${suspended.workflow} · opened ${time(suspended.openedAt)}`,
    ),
  );
  byId('activities').replaceChildren(
    ...(activities.length ? activities : [el('li', { class: 'muted' }, 'No suspended records.')]),
  );
}

function renderPops(username: string): void {
  const rows = (state.pops.get(username) ?? []).map((pop) =>
    el(
      'tr',
      { 'data-pop-id': pop.popId },
      el('td', { class: 'num' }, time(pop.at)),
      el('td', { class: 'status' }, el('span', { class: `status-${pop.status}` }, pop.status)),
      el('td', {}, pop.campaign),
      el('td', {}, pop.reference ?? ''),
      el('td', {}, pop.reason ?? ''),
      el('td', { class: 'muted' }, pop.popId),
    ),
  );
  byId('pops').replaceChildren(...rows);
}

function renderAgent(): void {
  const agent = state.selected === undefined ? undefined : state.agents.get(state.selected);
  byId('no-agent').hidden = agent !== undefined;
  byId('agent-panel').hidden = agent === undefined;
  if (!agent) return;
  byId('agent-title').textContent = agent.username;
  const licence = byId('agent-licence');
  licence.textContent = agent.licensed ? 'licensed' : 'no licence';
  licence.className = `pill ${agent.licensed ? 'good' : 'bad'}`;
  renderRecord(agent);
  renderPops(agent.username);
}

function render(): void {
  const selectedBefore = state.selected;
  chooseSelected();
  const selectionChanged = selectedBefore !== state.selected;
  if (dirty.header) renderHeader();
  if (selectionChanged) {
    for (const name of [selectedBefore, state.selected]) if (name !== undefined) dirty.agents.add(name);
  }
  renderList();
  if (dirty.list || selectionChanged || (state.selected !== undefined && dirty.agents.has(state.selected)))
    renderAgent();
  dirty.header = false;
  dirty.list = false;
  dirty.agents.clear();
}

/** The agent named in the address (`#agent=<name>`), else the first on the Desktop. */
function chooseSelected(): void {
  const match = /^#agent=(.*)$/.exec(location.hash);
  const wanted = match ? decodeURIComponent(match[1]) : undefined;
  if (wanted !== undefined && state.agents.has(wanted)) state.selected = wanted;
  else if (state.selected === undefined || !state.agents.has(state.selected))
    state.selected = state.agents.keys().next().value;
}

/** This start's control token (instance/control.ts): every change carries it; read once, same-origin. */
let controlToken: Promise<string> | undefined;
const tokenOfThisStart = (): Promise<string> =>
  (controlToken ??= fetch('token').then(async (response) => ((await response.json()) as { token: string }).token));

async function act(path: string, done: (body: Record<string, unknown>) => string): Promise<void> {
  const notice = byId('notice');
  try {
    const headers = { 'X-Control-Token': await tokenOfThisStart() };
    const response = await fetch(path, { method: 'POST', headers });
    const body = (await response.json()) as Record<string, unknown>;
    notice.textContent = response.ok
      ? done(body)
      : `${String(body.error ?? response.status)}: ${String(body.message ?? '')}`;
  } catch (error) {
    notice.textContent = `The control surface did not answer: ${(error as Error).message}`;
  }
  setTimeout(() => (notice.textContent = ''), 4000);
}

const agentPath = (username: string, action: string) => `agents/${encodeURIComponent(username)}/${action}`;

function wireControls(): void {
  byId('plugin-toggle').addEventListener('click', () => {
    const enable = state.instance?.pluginEnabled === false;
    void act(`plugin/${enable ? 'enable' : 'disable'}`, () => `Cloud API plugin ${enable ? 'enabled' : 'disabled'}.`);
  });
  byId('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('login-name');
    const username = input.value.trim();
    if (!username) return;
    location.hash = `agent=${encodeURIComponent(username)}`;
    input.value = '';
    void act(
      agentPath(username, 'login'),
      (body) => `${username}: ${String(body.status)}${body.licensed ? '' : ' (no licence)'}.`,
    );
  });
  byId('logout').addEventListener('click', () => {
    const username = state.selected;
    if (username !== undefined) void act(agentPath(username, 'logout'), () => `${username} logged out.`);
  });
  byId('close-record').addEventListener('click', () => {
    const username = state.selected;
    if (username !== undefined)
      void act(agentPath(username, 'close'), (body) => `${username}: record ${String(body.reference ?? '')} closed.`);
  });
  byId('agent-filter').addEventListener('input', applyFilter);
  window.addEventListener('hashchange', () => {
    scheduleRender();
    byId('agent-view').focus({ preventScroll: true });
  });
}

wireControls();
connect();
