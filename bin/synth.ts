/**
 * `npm run synth [-- cdk options]`: `cdk synth` into cdk.out/ without printing the template (about 3,800 lines),
 * then a summary a person can read: the stack's resources by type, its outputs and cdk-nag's verdict.
 * Options after `--` go to `cdk synth` (`npm run synth -- -c environment=prod`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const OUT_DIR = 'cdk.out';

interface Template {
  readonly Resources?: Record<string, { Type: string }>;
  readonly Outputs?: Record<string, unknown>;
}

/** The stacks the last synth wrote (cdk.out/manifest.json), with their template files. */
function synthesizedStacks(outDir: string): { name: string; templateFile: string }[] {
  const manifest = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name, artifact]) => ({ name, templateFile: path.join(outDir, artifact.properties!.templateFile!) }));
}

/** How many acknowledgements (each with its reason, in lib/) the stack carries: cdk-nag findings judged acceptable. */
function acknowledgedFindings(outDir: string, stackName: string): number {
  const metadata = JSON.parse(readFileSync(path.join(outDir, `${stackName}.metadata.json`), 'utf8')) as Record<
    string,
    { type: string; data: unknown }[]
  >;
  return Object.values(metadata)
    .flat()
    .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
    .reduce((count, entry) => count + Object.keys(entry.data as object).length, 0);
}

/** Resources by type (most first), outputs, cdk-nag. */
export function summarize(stackName: string, template: Template, acknowledged: number, templateFile: string): string {
  const byType = new Map<string, number>();
  for (const resource of Object.values(template.Resources ?? {}))
    byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);
  const types = [...byType].sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
  const total = [...byType.values()].reduce((sum, count) => sum + count, 0);
  const width = Math.max(...types.map(([, count]) => String(count).length));
  return [
    `${stackName}: ${total} resources, written to ${templateFile}`,
    ...types.map(([type, count]) => `  ${String(count).padStart(width)}  ${type}`),
    `Outputs: ${Object.keys(template.Outputs ?? {}).join(', ')}`,
    `cdk-nag AwsSolutions: no unacknowledged finding (${acknowledged} acknowledged with a reason in lib/)`,
  ].join('\n');
}

function main(): void {
  const cdk = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', OUT_DIR, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_HOME: process.env.CDK_HOME ?? '.cdk-home' },
  });
  // A cdk-nag finding, a bad setting or a compile error: cdk has printed why.
  if (cdk.status !== 0) process.exit(cdk.status ?? 1);
  for (const stack of synthesizedStacks(OUT_DIR)) {
    const template = JSON.parse(readFileSync(stack.templateFile, 'utf8')) as Template;
    console.log(summarize(stack.name, template, acknowledgedFindings(OUT_DIR, stack.name), stack.templateFile));
  }
}

if (require.main === module) main();
