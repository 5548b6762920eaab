import { spawn } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { eventually, FakeGateway, PASSWORD, USERNAME } from './fakeGateway';

const ROOT = resolve(__dirname, '../../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

function run(configFile: string) {
  const child = spawn(process.execPath, [TSX, 'instance/main.ts', '--config', configFile], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output, exited };
}

describe('npm run instance', () => {
  let gateway: FakeGateway;
  const dir = mkdtempSync(join(tmpdir(), 'instance-cli-'));

  beforeAll(async () => {
    gateway = await new FakeGateway().start();
  });
  afterAll(() => gateway.stop());

  test('connects, prints one line per event, and closes cleanly on SIGTERM', async () => {
    const file = join(dir, 'instance.yaml');
    writeFileSync(
      file,
      [
        `authUrl: ${gateway.authUrl}`,
        `webSocketUrl: ${gateway.webSocketUrl}`,
        `username: ${USERNAME}`,
        `password: ${PASSWORD}`,
        'instanceName: demo-instance',
        'licence: {type: PerSystem}',
        'campaigns: [{name: Sales, type: external, workflow: Sales Call, externalLinks: {Contact Name: {field: ContactName}}}]',
        'agents: [agent1]',
      ].join('\n'),
    );
    const { child, output, exited } = run(file);
    const conn = await eventually(() => gateway.connections[0]?.messages.length > 0 && gateway.connections[0], 10_000);
    gateway.push(conn, {
      PopId: 'cli-1',
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-1',
      ScriptData: { 'contact name': 'Jane' },
    });
    await eventually(() => gateway.acksFor('cli-1').length === 2);
    const closed = new Promise<number>((done) => conn.ws.on('close', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await closed).toBe(1000);
    expect(output.stdout).toMatch(/INFO {2}connected connection=1 instance=demo-instance agents=\["agent1"\]/);
    expect(output.stdout).toMatch(
      /INFO {2}pop opened PopId=cli-1 agent=agent1 campaign=Sales reference=R-1 workflow="Sales Call" fields=\{"ContactName":"Jane"\}/,
    );
    expect(output.stdout).toMatch(/INFO {2}stopped/);
    expect(`${output.stdout}${output.stderr}`).not.toContain(PASSWORD);
    expect(`${output.stdout}${output.stderr}`).not.toContain(gateway.issuedIdTokens[0]);
  }, 20_000);

  test('a bad config exits 2 and names each bad key', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        authUrl: gateway.authUrl,
        webSocketUrl: gateway.webSocketUrl,
        username: 'u',
        licence: { type: 'Site' },
      }),
    );
    const { output, exited } = run(file);
    expect(await exited).toBe(2);
    expect(output.stderr).toContain(`Invalid instance config (${file}):`);
    expect(output.stderr).toContain('  - password: is required');
    expect(output.stderr).toContain('  - licence.type: must be one of PerSystem, Concurrent, Named');
  }, 20_000);
});
