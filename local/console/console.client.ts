/// <reference lib="dom" />
/**
 * The local console in the browser (bundled by instance/desktopPage/assets.ts). The tables follow `api/events`
 * (server.ts), drawn at most once per animation frame; the form posts to `api/pop` and shows the curl command that
 * sends the same request, kept in step with every keystroke.
 */
import { byId, el, eventData, oncePerFrame, time } from '../../instance/desktopPage/dom';
import type { ConsoleSnapshot, InstanceRow, PopRow } from './snapshot';

interface Caller {
  readonly username: string;
  readonly password: string;
  readonly restApiUrl: string;
}

let caller: Caller | undefined;
let latest: ConsoleSnapshot | undefined;
let source: EventSource | undefined;

/** POSIX shell single quotes, as local/start.ts prints its curl pop. */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** The pop body the form describes, or why it cannot be sent. */
function popBody(): { body: Record<string, unknown> } | { problem: string } {
  const form = new FormData(byId<HTMLFormElement>('pop-form'));
  const text = (name: string) => String(form.get(name) ?? '').trim();
  const body: Record<string, unknown> = { Username: text('Username'), Campaign: text('Campaign') };
  if (text('Reference') !== '') body.Reference = text('Reference');
  if (text('ScriptData') !== '') {
    try {
      const data = JSON.parse(text('ScriptData')) as unknown;
      if (typeof data !== 'object' || data === null || Array.isArray(data))
        return { problem: 'ScriptData must be a JSON object.' };
      body.ScriptData = data;
    } catch (error) {
      return { problem: `ScriptData is not valid JSON: ${(error as Error).message}` };
    }
  }
  return { body };
}

function curlCommand(body: Record<string, unknown>): string {
  if (!caller) return '';
  const api = caller.restApiUrl;
  return [
    `TOKEN=$(curl -s -u ${quote(`${caller.username}:${caller.password}`)} ${api}/auth \\`,
    `  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Result.IdToken))')`,
    `curl -s -X POST ${api}/pop -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `  -d ${quote(JSON.stringify(body))}`,
  ].join('\n');
}

function updateCurl(): void {
  const built = popBody();
  byId('form-problem').textContent = 'problem' in built ? built.problem : '';
  byId('curl').textContent = 'problem' in built ? '(fix the form to see the command)' : curlCommand(built.body);
}

async function sendPop(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const built = popBody();
  if ('problem' in built) return updateCurl();
  const button = (event.submitter ?? byId('pop-form').querySelector('button')) as HTMLButtonElement;
  button.disabled = true;
  byId('answer-status').textContent = 'sending…';
  try {
    const response = await fetch('api/pop', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(built.body),
    });
    const answer = (await response.json()) as { status?: number; body?: unknown; message?: string };
    byId('answer-status').textContent =
      answer.status === undefined ? `console ${response.status}` : `HTTP ${answer.status}`;
    byId('answer').textContent = JSON.stringify(answer.body ?? answer, null, 2);
  } catch (error) {
    byId('answer-status').textContent = 'not sent';
    byId('answer').textContent = (error as Error).message;
  } finally {
    button.disabled = false;
  }
}

function renderTenants(tenants: readonly string[]): void {
  const select = byId<HTMLSelectElement>('tenant');
  const chosen = select.value || new URLSearchParams(location.search).get('tenant') || '';
  const names = chosen && !tenants.includes(chosen) ? [chosen, ...tenants] : tenants;
  const current = Array.from(select.options)
    .slice(1)
    .map((option) => option.value);
  if (current.join('\n') === names.join('\n')) return;
  select.replaceChildren(
    el('option', { value: '' }, 'all tenants'),
    ...names.map((name) => el('option', { value: name }, name)),
  );
  select.value = chosen;
}

function instanceRow(row: InstanceRow): HTMLElement {
  const agents = row.agents.length ? `${row.agents.length}: ${row.agents.join(', ')}` : 'none';
  return el(
    'tr',
    { 'data-instance': row.instance },
    el('td', {}, row.tenant),
    el('td', {}, row.instance, el('div', { class: 'muted' }, `user ${row.username}`)),
    el('td', {}, time(row.connectedAt)),
    el('td', { class: 'agents' }, agents),
  );
}

function popRow(pop: PopRow): HTMLElement {
  return el(
    'tr',
    { 'data-pop-id': pop.popId },
    el('td', {}, time(pop.createdAt)),
    el('td', {}, pop.tenant),
    el('td', {}, pop.username),
    el('td', {}, pop.campaign),
    el('td', {}, pop.reference ?? ''),
    el('td', {}, el('span', { class: `status status-${pop.status}` }, pop.status)),
    el('td', {}, pop.reason ?? ''),
    el('td', { class: 'muted' }, pop.popId),
  );
}

function render(): void {
  if (!latest) return;
  renderTenants(latest.tenants);
  const instances = latest.instances.map(instanceRow);
  byId('instances').replaceChildren(
    ...(instances.length
      ? instances
      : [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'No instance connected.'))]),
  );
  const pops = latest.pops.map(popRow);
  byId('pops').replaceChildren(
    ...(pops.length ? pops : [el('tr', {}, el('td', { colspan: '8', class: 'muted' }, 'No pops yet.'))]),
  );
}

const scheduleRender = oncePerFrame(render);

function follow(tenant: string): void {
  source?.close();
  source = new EventSource(`api/events${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`);
  source.addEventListener('snapshot', (message) => {
    latest = eventData<ConsoleSnapshot>(message);
    byId('live').textContent = 'live';
    scheduleRender();
  });
  source.addEventListener('problem', (message) => {
    byId('live').textContent = `table not readable: ${eventData<{ message: string }>(message).message}`;
  });
  source.onerror = () => (byId('live').textContent = 'reconnecting');
}

async function start(): Promise<void> {
  const form = byId<HTMLFormElement>('pop-form');
  form.addEventListener('input', updateCurl);
  form.addEventListener('submit', (event) => void sendPop(event as SubmitEvent));
  byId<HTMLSelectElement>('tenant').addEventListener('change', (event) => {
    const tenant = (event.target as HTMLSelectElement).value;
    history.replaceState(null, '', tenant ? `?tenant=${encodeURIComponent(tenant)}` : location.pathname);
    follow(tenant);
  });
  follow(new URLSearchParams(location.search).get('tenant') ?? '');
  caller = (await (await fetch('api/caller')).json()) as Caller;
  byId('caller-name').textContent = caller.username;
  updateCurl();
}

void start();
