import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VARIANTS } from '../../bin/lintTemplate';
import { RUNBOOK_FILE, runbookSectionOf } from '../../lib/runbook';
import { synthStack } from './support';

/**
 * Every alarm of the template names its section of docs/runbook.md, and every alarm section is named by an alarm.
 * Read from the synthesized templates (the defaults, and every option on, lib/lintTemplate.ts's VARIANTS), so an
 * alarm added anywhere in lib/ shows up here until its section is written.
 */
const runbook = readFileSync(path.join(__dirname, '../..', RUNBOOK_FILE), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

/** The `## ` sections of the runbook: each is one alarm's (the introduction above them is not a section). */
const sections = [...runbook.matchAll(/^## (.+)$/gm)].map((match) => ({
  anchor: anchor(match[1]!),
  body: runbook.slice(match.index).split(/^## /m)[1]!,
}));

interface AlarmResource {
  readonly Type: string;
  readonly Properties: { readonly AlarmDescription?: string };
}

const alarms = Object.entries(VARIANTS).flatMap(([variant, context]) => {
  const resources = synthStack(context).template.toJSON().Resources as Record<string, AlarmResource>;
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, resource]) => ({ variant, id, description: resource.Properties.AlarmDescription ?? '' }));
});

describe('docs/runbook.md and the alarms', () => {
  test('finds the alarms and the sections', () => {
    expect(alarms.length).toBeGreaterThan(50);
    expect(sections.length).toBeGreaterThanOrEqual(5);
  });

  test.each(alarms.map((alarm) => [`${alarm.variant}: ${alarm.id}`, alarm.description] as const))(
    '%s names a runbook section that exists (withRunbook in lib/runbook.ts)',
    (_alarm, description) => {
      const section = runbookSectionOf(description);
      expect({ description, section }).toEqual({ description, section: expect.any(String) });
      expect(sections.map((s) => s.anchor)).toContain(section);
    },
  );

  test.each(sections.map((section) => [section.anchor, section.body] as const))(
    'section #%s is named by an alarm and says what it means, how to confirm, what to do, when it is over',
    (sectionAnchor, body) => {
      expect(alarms.filter((alarm) => runbookSectionOf(alarm.description) === sectionAnchor)).not.toHaveLength(0);
      for (const part of ['**Means.**', '**Confirm.**', '**Act.**', '**Over.**']) expect(body).toContain(part);
    },
  );

  test('the function errors section names every function', () => {
    const body = sections.find((section) => section.anchor === 'function-errors')!.body;
    const functionAlarms = alarms.filter((alarm) => runbookSectionOf(alarm.description) === 'function-errors');
    for (const alarm of functionAlarms) {
      const name = /^Function (\w+):/.exec(alarm.description)?.[1];
      expect({ name, named: body.includes(`\`${name}\``) }).toEqual({ name, named: true });
    }
  });
});
