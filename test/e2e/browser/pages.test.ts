/// <reference lib="dom" />
/**
 * The two pages in Chromium against the shared e2e stack: the console (local/console/, started here as npm start
 * starts it, with this test's api caller) sends pops through the real REST API; the reference instance (in-process,
 * its control surface on a free port) shows them on the agent's Desktop page (instance/desktopPage/). Then 200 agents
 * on one Desktop take 50 pops a second while the page is measured.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startConsole, type ConsoleServer } from '../../../local/console/server';
import {
  sharedStack,
  startTestInstance,
  stopTestInstances,
  TestTenant,
  type TestInstance,
} from '../support/instanceHarness';
import { foreignRequests, launchChromium, screenshot, startMeasuring, stopMeasuring, waitForText } from './browser';

jest.setTimeout(60_000);

let browser: Browser;
let context: BrowserContext;
let tenant: TestTenant;
let desk: TestInstance;
let consoleServer: ConsoleServer;
let desktopPage: Page;
let consolePage: Page;
const foreign: string[] = [];

const desktopUrl = (instance: TestInstance) => `http://127.0.0.1:${instance.instance.control?.port}/`;

beforeAll(async () => {
  const stack = sharedStack();
  tenant = await TestTenant.create(stack);
  // agent3 is on the Desktop without a licence: Named, 2 users, agent1 and agent2 assigned.
  desk = await startTestInstance(stack, await tenant.newInstanceUser(), {
    agents: ['agent1', 'agent2', 'agent3'],
    licence: { type: 'Named', users: 2, assigned: ['agent1', 'agent2'] },
  });
  const { endpoints } = stack;
  consoleServer = await startConsole({
    port: 0,
    restApiUrl: endpoints.RestApiUrl,
    dynamoDbEndpoint: endpoints.DynamoDbEndpoint,
    tableName: endpoints.TableName,
    region: endpoints.Region,
    caller: tenant.caller,
    pollMs: 250,
  });
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    httpCredentials: { username: tenant.caller.username, password: tenant.caller.password },
  });
  desktopPage = await context.newPage();
  consolePage = await context.newPage();
  foreign.push(
    ...foreignRequests(desktopPage, desktopUrl(desk).slice(0, -1)),
    ...foreignRequests(consolePage, consoleServer.url.slice(0, -1)),
  );
  await desktopPage.goto(`${desktopUrl(desk)}#agent=agent1`);
  await consolePage.goto(`${consoleServer.url}?tenant=${encodeURIComponent(tenant.tenant)}`);
  await waitForText(desktopPage, '#connection', 'connected');
  await waitForText(consolePage, '#instances', desk.instance.config.instanceName);
});

afterAll(async () => {
  await browser?.close();
  await consoleServer?.close();
  await stopTestInstances();
});

/** Fills the console's form and sends it with the keyboard (Enter in a field); returns the PopId of the 202. */
async function popFromConsole(body: {
  Username: string;
  Reference: string;
  ScriptData: Record<string, string>;
}): Promise<string> {
  await consolePage.fill('input[name=Username]', body.Username);
  await consolePage.fill('input[name=Campaign]', 'Sales');
  await consolePage.fill('input[name=Reference]', body.Reference);
  await consolePage.fill('#script-data', JSON.stringify(body.ScriptData));
  const curl = await consolePage.textContent('#curl');
  expect(curl).toContain(
    `-d '${JSON.stringify({ Username: body.Username, Campaign: 'Sales', Reference: body.Reference, ScriptData: body.ScriptData })}'`,
  );
  expect(curl).toContain(`-u '${tenant.caller.username}:`);
  await consolePage.press('input[name=Reference]', 'Enter');
  await waitForText(consolePage, '#answer-status', 'HTTP 202');
  const answer = JSON.parse((await consolePage.textContent('#answer')) ?? '{}') as { Result: { PopId: string } };
  return answer.Result.PopId;
}

const popStatusCell = (popId: string) => `#pops tr[data-pop-id="${popId}"]`;

test('a pop sent from the console form opens on the Desktop page with its Fields and Variables, and reaches Opened on the console', async () => {
  const popId = await popFromConsole({
    Username: 'agent1',
    Reference: 'ORDER-1',
    ScriptData: { 'Contact Name': 'Ada Lovelace', var_ContactReason: 'Renewal' },
  });

  await waitForText(desktopPage, '#record', 'ORDER-1');
  const values = await desktopPage.$$eval('#record table.kv tr', (rows) => rows.map((row) => row.textContent));
  expect(values).toEqual(['ContactNameAda Lovelace', 'ContactReasonRenewal']);
  expect(await desktopPage.textContent('#record')).toContain('Sales Call');
  await waitForText(desktopPage, popStatusCell(popId), 'Opened');
  await waitForText(consolePage, popStatusCell(popId), 'Opened');
});

test('a distinct Reference moves the first record to the Activities list', async () => {
  const popId = await popFromConsole({
    Username: 'agent1',
    Reference: 'ORDER-2',
    ScriptData: { 'Contact Name': 'Grace Hopper' },
  });

  await waitForText(desktopPage, '#record', 'ORDER-2');
  await waitForText(desktopPage, '#activities', 'Sales / ORDER-1');
  expect(await desktopPage.$$eval('#record table.kv td', (cells) => cells.map((cell) => cell.textContent))).toEqual([
    'Grace Hopper',
  ]);
  await waitForText(consolePage, popStatusCell(popId), 'Opened');
  await screenshot(desktopPage, 'desktop');
});

test('a pop to an unlicensed agent shows Failed with its Reason on both pages', async () => {
  // Keyboard only: the agent list's links are reached with Tab from the filter and followed with Enter.
  await desktopPage.focus('#agent-filter');
  await desktopPage.keyboard.type('agent3');
  await desktopPage.keyboard.press('Tab');
  await desktopPage.keyboard.press('Enter');
  await waitForText(desktopPage, '#agent-title', 'agent3');
  expect(await desktopPage.textContent('#agent-licence')).toBe('no licence');

  const popId = await popFromConsole({ Username: 'agent3', Reference: 'ORDER-3', ScriptData: {} });

  await waitForText(desktopPage, popStatusCell(popId), 'Failed');
  expect(await desktopPage.textContent(popStatusCell(popId))).toContain('NoLicence');
  await waitForText(consolePage, popStatusCell(popId), 'Failed');
  expect(await consolePage.textContent(popStatusCell(popId))).toContain('NoLicence');
  await screenshot(consolePage, 'console');
});

test('the Desktop page logs agents in and out, closes a record and switches the plugin, through the control surface', async () => {
  await desktopPage.fill('#agent-filter', '');
  await desktopPage.fill('#login-name', 'agent4');
  await desktopPage.press('#login-name', 'Enter');
  await waitForText(desktopPage, '#agent-title', 'agent4');
  expect(desk.instance.desktop.isOnDesktop('agent4')).toBe(true);
  await desktopPage.click('#logout');
  await desktopPage.waitForFunction(() => !document.querySelector('[data-agent="agent4"]'));
  expect(desk.instance.desktop.isOnDesktop('agent4')).toBe(false);

  await desktopPage.goto(`${desktopUrl(desk)}#agent=agent1`);
  await waitForText(desktopPage, '#record', 'ORDER-2');
  await desktopPage.click('#close-record');
  await waitForText(desktopPage, '#record', 'No record open.');
  expect(desk.instance.desktop.agent('agent1')?.current).toBeNull();
  expect(desk.instance.desktop.agent('agent1')?.activities.map((record) => record.reference)).toEqual(['ORDER-1']);

  await desktopPage.click('#plugin-toggle');
  await waitForText(desktopPage, '#plugin-toggle', 'off');
  expect(desk.instance.desktop.isPluginEnabled).toBe(false);
  await desktopPage.click('#plugin-toggle');
  await waitForText(desktopPage, '#plugin-toggle', 'on');
  expect(desk.instance.desktop.isPluginEnabled).toBe(true);
});

test('both pages fit a phone screen without sideways scrolling and request nothing from another origin', async () => {
  for (const page of [desktopPage, consolePage]) {
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 860 });
  }
  expect(foreign).toEqual([]);
});

const countOf = (values: readonly (number | string)[]) =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

/** Focuses the agent's link, presses Enter and measures, in the page, how long until its view is drawn. */
async function switchAgent(page: Page, agent: string): Promise<number> {
  await page.focus(`[data-agent="${agent}"]`);
  const pressed = page.evaluate(() => performance.now());
  await page.keyboard.press('Enter');
  const pressedAt = await pressed;
  await waitForText(page, '#agent-title', agent);
  return page.evaluate((since) => performance.now() - since, pressedAt);
}

/**
 * Pushes a Pop message to the instance's connection through the gateway's `@connections` endpoint, as the pop
 * Lambda does (lambdas/pops/pusher.ts): the page is measured at 50 pops a second whatever the REST path's throughput.
 * The instance acknowledges each; the Ack handler answers PopNotFound (no pop item was stored), which changes nothing.
 */
async function pushPop(
  instance: TestInstance,
  pop: { PopId: string; Username: string; Reference: string },
): Promise<number> {
  const base = sharedStack().endpoints.WebSocketUrl.replace(/^ws:/, 'http:');
  const connectionId = instance.connectionIds[instance.connectionIds.length - 1];
  const message = {
    Type: 'Pop',
    ...pop,
    Campaign: 'Sales',
    ScriptData: { 'Contact Name': `Caller ${pop.Reference}` },
    SentAt: new Date().toISOString(),
  };
  const response = await fetch(`${base}/@connections/${encodeURIComponent(connectionId)}`, {
    method: 'POST',
    body: JSON.stringify(message),
  });
  return response.status;
}

test('200 agents on one Desktop and 50 pops a second: every pop reaches the page, which stays responsive and does not shift', async () => {
  const agents = Array.from({ length: 200 }, (_, index) => `load-${String(index).padStart(3, '0')}`);
  const loaded = await startTestInstance(sharedStack(), await tenant.newInstanceUser(), { agents, logLevel: 'info' });
  const page = await context.newPage();
  await page.goto(`${desktopUrl(loaded)}#agent=load-000`);
  await waitForText(page, '#agent-count', '200');
  await startMeasuring(page);

  // 50 pops a second for 5 s, each agent in turn, each a new Reference (Opened, the previous record to Activities).
  const total = 250;
  const answers: Promise<number | string>[] = [];
  let switchedInMs: Promise<number> | undefined;
  const started = Date.now();
  for (let index = 0; index < total; index++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + index * 20 - Date.now())));
    const pop = { PopId: `load-pop-${index}`, Username: agents[index % agents.length], Reference: `LOAD-${index}` };
    answers.push(pushPop(loaded, pop).catch((error: Error) => error.message));
    // Halfway, a person picks another agent (with the keyboard): the page must follow while the pops keep coming.
    if (index === total / 2) switchedInMs = switchAgent(page, 'load-150');
  }
  const statuses = await Promise.all(answers);
  const sendingMs = Date.now() - started;
  expect(countOf(statuses)).toEqual({ 200: total });

  await waitForText(page, '#pop-count', String(total), 20_000);
  const measured = await stopMeasuring(page);
  const perAgent = await page.$$eval('#agent-list .count', (cells) => cells.map((cell) => Number(cell.textContent)));
  const lastStatuses = await page.$$eval('#agent-list .last', (cells) =>
    Array.from(new Set(cells.map((cell) => cell.textContent))),
  );
  console.log(
    `200 agents, ${total} pops pushed in ${sendingMs} ms; switch ${await switchedInMs} ms; ${JSON.stringify(measured)}`,
  );

  // No dropped update: every pop is counted on its agent, and each agent's last outcome is the Opened it got.
  expect(perAgent.reduce((sum, count) => sum + count, 0)).toBe(total);
  expect(lastStatuses).toEqual(['Opened']);
  expect(await page.textContent('#record')).toContain('LOAD-');
  // Responsive: switching agents takes under 1.5 s, long tasks hold the main thread under a third of the time, and no
  // frame waits a second.
  expect(await switchedInMs).toBeLessThan(1500);
  expect(measured.longTaskMs / measured.windowMs).toBeLessThan(0.33);
  expect(measured.maxFrameGapMs).toBeLessThan(1000);
  // No layout shift from arriving pops (0.1 is the "good" bound of Cumulative Layout Shift).
  expect(measured.layoutShift).toBeLessThan(0.1);
  await page.close();
});
