import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every command the docs show (README.md, CONTRIBUTING.md, docs/*.md, each folder's README.md) is checked against the project, so a
 * renamed script, file or option breaks this test instead of a reader's first try. A command shown in a fenced
 * bash/sh block, or inline as `npm run ...`, is checked by what it starts:
 * - `npm run <script>`: the script exists in package.json and the file it runs exists; for the CLIs in HELP_RUNS the
 *   command runs in `--help` form (with its sub-commands) and every `--option` it shows must be in that help;
 * - `npx <tool>`: the tool is installed (node_modules/.bin);
 * - anything else: the program is one a reader has (PROGRAMS), each block parses as bash (`bash -n`).
 * A new command in a README needs no change here unless it starts a new kind of program.
 */
const ROOT = path.resolve(__dirname, '../../..');
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  'cdk.out',
  '.local',
  '.cdk-home',
  'coverage',
  'test-output',
  'api-docs',
  'dist',
]);

/** Programs a reader runs by name, beyond npm and npx; each needs no check of its own. */
const PROGRAMS: Readonly<Record<string, string>> = {
  curl: 'HTTP calls to the local or deployed API',
  node: 'Node.js itself (README: Node.js 20 or newer)',
  aws: 'the AWS CLI, for deployed stacks only (docs/deploy.md); not needed offline',
  'cfn-lint': "AWS's CloudFormation linter (npm run lint:template says how to get it)",
  pip: 'how to get cfn-lint',
  git: 'a clone',
  wscat: 'a WebSocket client (FACTS: prints nothing when piped)',
  cat: 'shell',
  echo: 'shell',
  export: 'shell',
  cd: 'shell',
  jq: 'reading JSON answers',
  source: "shell: reads the local stack's demo.env (README.md quick start)",
};

/** npm scripts that run a CLI with a `--help` of its own: the docs' options are checked against it. */
const HELP_RUNS: Readonly<Record<string, (args: string[]) => string[]>> = {
  provision: (args) => ['npx', 'tsx', 'provisioning/main.ts', ...args, '--help'],
  vendor: (args) => ['npx', 'tsx', 'provisioning/main.ts', ...args, '--help'],
  instance: (args) => ['npx', 'tsx', 'instance/main.ts', ...args, '--help'],
  cli: () => ['npx', 'tsx', 'sdk/src/bin.ts', '--help'],
  verify: (args) => ['npx', 'tsx', 'ops/verify/main.ts', ...args, '--help'],
  cdk: (args) => ['npx', 'cdk', ...args, '--help'],
};

function markdownFiles(dir: string, depth = 0): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return SKIP_DIRS.has(entry.name) || entry.name.startsWith('.') ? [] : markdownFiles(full, depth + 1);
    const where = path.relative(ROOT, dir);
    const wanted =
      entry.name === 'README.md' ||
      (where === 'docs' && entry.name.endsWith('.md')) ||
      (where === '' && entry.name === 'CONTRIBUTING.md');
    return wanted ? [full] : [];
  });
}

interface Shown {
  readonly file: string;
  readonly command: string;
}

/** A block's lines joined where a `\` continues them or a single-quoted string spans them. */
function logicalLines(block: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const line of block.replace(/\\\n\s*/g, ' ').split('\n')) {
    pending = pending === '' ? line : `${pending} ${line.trim()}`;
    if ((pending.match(/'/g) ?? []).length % 2 === 0) {
      lines.push(pending);
      pending = '';
    }
  }
  return [...lines, ...(pending ? [pending] : [])];
}

/** Fenced shell blocks (whole, for `bash -n`) and their commands: comments dropped. */
function shellBlocks(text: string): { block: string; commands: string[] }[] {
  const blocks = [...text.matchAll(/^```(?:bash|sh|shell)\n([\s\S]*?)^```/gm)].map((match) => match[1]!);
  return blocks.map((block) => ({
    block,
    commands: logicalLines(block)
      .map((line) => line.replace(/(^|\s)#\s.*$/, '').trim())
      .filter((line) => line !== ''),
  }));
}

/** The docs' placeholders (`<PopId>`, `[--timeout 60]`) are for the reader to fill in; bash would read `<` as a redirect. */
const withoutPlaceholders = (block: string): string =>
  block.replace(/<[A-Za-z][^<>\n]*>/g, 'X').replace(/\[(--[^\]]*)\]/g, '$1');

/**
 * The bins of this repository's packages (the root and sdk/). Never shown as `npx <bin>`: from a checkout npx does not
 * find them and looks the name up on the public registry, where whoever claims it runs code on the reader's machine.
 * The docs use `npm run <script>` (`npm run cli --`, `npm run provision --`) instead.
 */
const OWN_BINS = ['package.json', 'sdk/package.json']
  .filter((file) => existsSync(path.join(ROOT, file)))
  .flatMap((file) =>
    Object.keys((JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as { bin?: object }).bin ?? {}),
  );

/** `npm run ...` shown inline in prose. */
const inlineNpmRuns = (text: string): string[] =>
  [...text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/`((?:[A-Z_]+=\S+\s+)*npm run [^`]+)`/g)].map(
    (match) => match[1]!,
  );

const files = markdownFiles(ROOT);
const blocks = files.flatMap((file) => shellBlocks(readFileSync(file, 'utf8')).map((found) => ({ file, ...found })));
const shown: Shown[] = [
  ...blocks.flatMap(({ file, commands }) => commands.map((command) => ({ file, command }))),
  ...files.flatMap((file) => inlineNpmRuns(readFileSync(file, 'utf8')).map((command) => ({ file, command }))),
];
const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The simple commands of a line (split on &&, ||, ;, |), leading VAR=value assignments dropped, $(...) kept whole. */
function simpleCommands(line: string): string[][] {
  return line
    .replace(/\$\([^)]*\)/g, 'SUBSHELL')
    .split(/&&|\|\||;|\|/)
    .map((part) =>
      (part.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).filter(
        (_word, i, words) => !words.slice(0, i + 1).every((w) => /^[A-Za-z_]+=/.test(w)),
      ),
    )
    .filter((words) => words.length > 0);
}

const label = ({ file, command }: Shown) => `${path.relative(ROOT, file)}: ${command}`;
const npmRuns = shown.flatMap((s) =>
  simpleCommands(s.command)
    .filter((w) => w[0] === 'npm' && w[1] === 'run')
    .map((words) => ({ ...s, words })),
);

describe('every command the docs show', () => {
  test('finds the commands (README.md, docs/*.md and the folder READMEs)', () => {
    expect(files.map((file) => path.relative(ROOT, file))).toEqual(
      expect.arrayContaining(['README.md', 'docs/deploy.md']),
    );
    expect(npmRuns.length).toBeGreaterThan(20);
  });

  test.each(blocks.map((b) => [path.relative(ROOT, b.file), b.block.split('\n')[0]!, b.block] as const))(
    '%s: the block starting `%s` is valid bash',
    (_file, _first, block) => {
      expect(spawnSync('bash', ['-n'], { input: withoutPlaceholders(block), encoding: 'utf8' }).stderr).toBe('');
    },
  );

  test.each(npmRuns.map((s) => [label(s), s.words] as const))(
    '%s: the npm script and the file it runs exist',
    (_label, words) => {
      const script = scripts[words[2]!];
      expect(script).toBeDefined();
      for (const file of script!.match(/[\w./-]+\.(?:ts|js|mjs)\b/g) ?? [])
        expect(existsSync(path.join(ROOT, file))).toBe(true);
    },
  );

  test.each(shown.flatMap((s) => simpleCommands(s.command).map((words) => [label(s), words] as const)))(
    '%s: starts a program the project has or a reader is expected to have',
    (_label, words) => {
      const program = words[0]!;
      if (program === 'npx') {
        expect(OWN_BINS).not.toContain(words[1]!);
        expect(existsSync(path.join(ROOT, 'node_modules/.bin', words[1]!))).toBe(true);
      } else if (program !== 'npm' && program !== 'SUBSHELL') expect(Object.keys(PROGRAMS)).toContain(program);
    },
  );

  /** Each CLI in HELP_RUNS once per sub-command path; the options the docs give must be in its help. */
  const helpCases = new Map<string, { argv: string[]; options: Set<string>; shownIn: string[] }>();
  for (const run of npmRuns) {
    const toHelp = HELP_RUNS[run.words[2]!];
    if (!toHelp) continue;
    const args = run.words.slice(run.words.indexOf('--') + 1);
    const subcommands = run.words.includes('--') ? args.slice(0, args.findIndex((w) => w.startsWith('-')) >>> 0) : [];
    const argv = toHelp(subcommands.filter((word) => /^[a-z]+$/.test(word)));
    const entry = helpCases.get(argv.join(' ')) ?? { argv, options: new Set<string>(), shownIn: [] };
    for (const option of args.filter((w) => /^--[a-z]/.test(w))) entry.options.add(option.split('=')[0]!);
    entry.shownIn.push(label(run));
    helpCases.set(argv.join(' '), entry);
  }

  test.each([...helpCases].map(([key, entry]) => [key, entry] as const))(
    '`%s` answers, with every option the docs use',
    (_key, entry) => {
      const [program, ...args] = entry.argv;
      const help = execFileSync(program!, args, {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_HOME: path.join(ROOT, '.cdk-home') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const option of entry.options)
        expect({ option, found: help.includes(option) }).toEqual({ option, found: true });
    },
    60_000,
  );
});
