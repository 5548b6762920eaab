/**
 * Every alarm's description ends by naming its section of docs/runbook.md (what it means, how to confirm it, what to
 * do, how to know it is over). test/cdk/runbook.test.ts checks both ways over the synthesized template: every alarm
 * names a section that exists, and every alarm section is named by an alarm. A new alarm takes `withRunbook(...)`.
 */
export const RUNBOOK_FILE = 'docs/runbook.md';

/** The alarm sections of docs/runbook.md, by their GitHub anchor (the heading, lower case, spaces as hyphens). */
export const RUNBOOK_SECTION = {
  rest5xxRate: 'rest-5xx-rate',
  functionErrors: 'function-errors',
  functionThrottles: 'function-throttles',
  dynamoDbThrottles: 'dynamodb-throttles',
  webhookDeadLetters: 'webhook-dead-letters',
  canaryFailing: 'canary-failing',
  streamRecordsFailed: 'stream-records-failed',
  streamBatchesGivenUp: 'stream-batches-given-up',
  streamIteratorAge: 'stream-iterator-age',
} as const;

export type RunbookSection = (typeof RUNBOOK_SECTION)[keyof typeof RUNBOOK_SECTION];

/** An alarm description that names its runbook section, e.g. `... Runbook: docs/runbook.md#rest-5xx-rate`. */
export function withRunbook(description: string, section: RunbookSection | string): string {
  return `${description} Runbook: ${RUNBOOK_FILE}#${section}`;
}

/** The runbook section an alarm description names, if any. */
export function runbookSectionOf(description: string): string | undefined {
  return new RegExp(`Runbook: ${RUNBOOK_FILE.replace('.', '\\.')}#([a-z0-9-]+)$`).exec(description)?.[1];
}
