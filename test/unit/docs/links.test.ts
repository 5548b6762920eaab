/**
 * Every link in the repository's Markdown resolves: a relative link names a file or folder that exists, and its
 * `#anchor` a heading of that file (GitHub's slug). Links to the web are not fetched (tests run offline). Code blocks
 * and code spans are not links. README.md stays short enough to read in five minutes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const SKIP_DIRS = new Set(['node_modules', 'cdk.out', 'coverage', 'test-output', 'api-docs', 'dist']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** The text a reader sees as prose: fenced blocks and code spans blanked out. */
const prose = (text: string): string => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of text.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = match[1]!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

interface Link {
  readonly file: string;
  readonly target: string;
}

function linksOf(file: string): Link[] {
  const text = prose(readFileSync(file, 'utf8'));
  return [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({
    file,
    target: m[1]!,
  }));
}

/** Why the link does not resolve, or undefined when it does. */
function brokenReason({ file, target }: Link): string | undefined {
  if (/^(https?:|mailto:)/.test(target)) return undefined;
  const [rawPath, anchor] = target.split('#') as [string, string | undefined];
  const resolved = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
  if (!resolved.startsWith(ROOT)) return 'points outside the repository';
  if (!existsSync(resolved)) return `no such file ${path.relative(ROOT, resolved)}`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return undefined;
  return anchorsOf(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase())
    ? undefined
    : `no heading #${anchor} in ${path.relative(ROOT, resolved)}`;
}

const files = markdownFiles(ROOT);
const links = files.flatMap(linksOf);

test('finds the Markdown and its links', () => {
  expect(files.map((f) => path.relative(ROOT, f))).toEqual(
    expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/http-api.md']),
  );
  expect(links.length).toBeGreaterThan(100);
});

test('every relative link resolves to a file and, with an anchor, to a heading of it', () => {
  const broken = links.flatMap((link) => {
    const reason = brokenReason(link);
    return reason ? [`${path.relative(ROOT, link.file)}: (${link.target}) ${reason}`] : [];
  });
  expect(broken).toEqual([]);
});

test('anchors are GitHub slugs', () => {
  expect([...anchorsOf('# A `b` (c), d/e\n## Where to go next\n## Where to go next\n')]).toEqual([
    'a-b-c-de',
    'where-to-go-next',
    'where-to-go-next-1',
  ]);
});

test('README.md fits a five-minute read: at most 12,000 bytes', () => {
  expect(readFileSync(path.join(ROOT, 'README.md')).length).toBeLessThanOrEqual(12_000);
});
