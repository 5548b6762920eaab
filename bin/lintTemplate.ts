/**
 * `npm run lint:template`: AWS's CloudFormation linter (cfn-lint) on the stack's template, synthesized twice: with the
 * defaults and with every option on (prod, custom domains, WAF, alarm e-mail, reserved concurrency), for two regions.
 * Any error or warning fails it, except the rules in ACCEPTED, each with the reason it is accepted.
 * Bundling is skipped: the Lambda code does not change the template beyond asset hashes, and it saves ~10 s a synth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { RemotePopStack } from '../lib/remotePopStack';

const STACK_NAME = 'RemotePop';
const REGIONS = ['us-east-1', 'eu-west-1'];
const CERTIFICATE = (id: string) => `arn:aws:acm:us-east-1:123456789012:certificate/${id}`;

/** The templates linted: the defaults, and every optional setting on at once. */
export const VARIANTS: Readonly<Record<string, Record<string, string>>> = {
  default: {},
  'every-option': {
    environment: 'prod',
    restDomainName: 'api.example.com',
    restCertificateArn: CERTIFICATE('11111111-2222-3333-4444-555555555555'),
    disableExecuteApiEndpoint: 'true',
    webSocketDomainName: 'ws.example.com',
    webSocketCertificateArn: CERTIFICATE('66666666-7777-8888-9999-000000000000'),
    wafRateLimitPer5Minutes: '2000',
    alarmEmail: 'ops@example.com',
    lambdaReservedConcurrency: '20',
  },
};

/** cfn-lint rules whose findings are accepted, and why. Everything else fails the run. */
export const ACCEPTED: Readonly<Record<string, string>> = {
  W3005:
    'redundant DependsOn: CDK adds DependsOn (a function on its role policy, a stage on its log group) beside a Ref ' +
    'or GetAtt that already implies it; CloudFormation ignores the duplicate.',
};

interface Finding {
  readonly Filename: string;
  readonly Level: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: readonly (string | number)[] };
}

/** Synthesizes one variant into `outDir` (no bundling) and returns the template's path. */
function synthesize(outDir: string, context: Record<string, string>): string {
  const app = new App({ outdir: outDir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  new RemotePopStack(app, STACK_NAME, { stackName: STACK_NAME });
  app.synth();
  return path.join(outDir, `${STACK_NAME}.template.json`);
}

/** What to say and which exit code when cfn-lint is not installed: skipped on a workstation, a failure in CI. */
function cfnLintMissing(): number {
  const inCi = process.env.CI === 'true';
  console.error(
    `lint:template: cfn-lint (AWS's CloudFormation linter) is not installed; install it with \`pip install cfn-lint\`` +
      (inCi ? '. CI needs it: failing.' : '. Skipped.'),
  );
  return inCi ? 1 : 0;
}

/** Runs cfn-lint once over every template; undefined when it is not installed. */
function cfnLint(templates: readonly string[]): Finding[] | undefined {
  const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', ...REGIONS, '--', ...templates], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (run.error) throw run.error;
  // Exit codes 2, 4, 8 (and sums) mean findings, which the JSON lists; anything unparsable is a failure of its own.
  try {
    return JSON.parse(run.stdout || '[]') as Finding[];
  } catch {
    throw new Error(`cfn-lint failed (exit ${run.status}): ${run.stderr || run.stdout}`);
  }
}

function main(): number {
  const outRoot = mkdtempSync(path.join(tmpdir(), 'lint-template-'));
  try {
    const templates = Object.entries(VARIANTS).map(([name, context]) => synthesize(path.join(outRoot, name), context));
    const findings = cfnLint(templates);
    if (findings === undefined) return cfnLintMissing();
    const failing = findings.filter((finding) => ACCEPTED[finding.Rule.Id] === undefined);
    const accepted = findings.length - failing.length;
    for (const finding of failing) {
      const variant = path.basename(path.dirname(finding.Filename));
      console.error(
        `${variant}: ${finding.Rule.Id} (${finding.Level}) ${finding.Location.Path.join('/')}: ${finding.Message}`,
      );
    }
    const variants = Object.keys(VARIANTS).join(' and ');
    const summary = `cfn-lint ${REGIONS.join(' ')} on the ${variants} templates: ${failing.length} finding(s), ${accepted} accepted (${Object.keys(ACCEPTED).join(', ')})`;
    console.log(summary);
    return failing.length === 0 ? 0 : 1;
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = main();
