/**
 * Summarise a V8 CPU profile (.cpuprofile) by who owns the code: the emulator (dynalite and its dependencies), the
 * local gateway (local/** and the ws server), our Lambda code (lambdas/**), the libraries the Lambdas bundle (AWS SDK,
 * Powertools, aws-jwt-verify), Node core, GC. Two views: self time by owner of the frame, and self time of Node core
 * and native frames charged to the nearest ancestor frame that has an owner (who caused the work).
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly sampledMs: number;
  /** Non-idle sampled time: the process was on a CPU this long (the profiler's own work left out). */
  readonly busyMs: number;
  /** Samples under the bench's own IPC/inspector calls (mostly Profiler.stop building the profile), left out. */
  readonly profilerOverheadMs: number;
  /** The owners rolled up (attributed view): emulation that AWS does not run vs code that runs in the Lambdas. */
  readonly byRole: Record<string, number>;
  /** Share of the non-idle samples, percent, by owner of the frame itself. */
  readonly selfByOwner: Record<string, number>;
  /** Node core / native time charged to the nearest owned ancestor, percent of non-idle. */
  readonly attributedByOwner: Record<string, number>;
  /** Heaviest self frames, percent of non-idle. */
  readonly topFrames: { frame: string; owner: string; percent: number }[];
}

const ROOT = path.resolve(__dirname, '..');

/** The packages dynalite pulls in (its dependency closure), so their time counts as the emulator's. */
function dependencyClosure(name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (pkg: string) => {
    if (seen.has(pkg)) return;
    seen.add(pkg);
    const file = path.join(ROOT, 'node_modules', pkg, 'package.json');
    if (!existsSync(file)) return;
    const deps =
      (JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    Object.keys(deps).forEach(visit);
  };
  visit(name);
  return seen;
}

export const OWNERS = {
  emulator: 'dynalite (DynamoDB emulator, in process)',
  gateway: 'local gateway (local/**, ws server)',
  ours: 'our Lambda code (lambdas/**)',
  sdk: 'AWS SDK v3 (in the Lambdas)',
  lambdaLibs: 'Powertools logger, aws-jwt-verify (in the Lambdas)',
  core: 'Node core (not attributed)',
  gc: 'GC',
  program: '(program): native, unattributed',
  tsx: 'tsx (loader)',
  bench: 'bench IPC',
  socketWrite: 'socket write syscalls (wall: includes time preempted after waking the receiver)',
  other: 'other packages',
} as const;

export function summariseProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const dynalite = dependencyClosure('dynalite');
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const ownerOf = (node: ProfileNode): string | undefined => {
    const { url, functionName } = node.callFrame;
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return OWNERS.gc;
    if (functionName === '(program)') return OWNERS.program;
    // Native socket writes. V8 samples on a timer whether or not the thread is on a CPU, so a thread preempted inside
    // writev (a loopback write wakes the receiving process on a 2-core machine) collects samples here: not CPU time.
    if (
      url === '' &&
      (functionName === 'writev' ||
        functionName === 'writeBuffer' ||
        functionName === 'writeUtf8String' ||
        functionName === 'writeLatin1String')
    ) {
      return OWNERS.socketWrite;
    }
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    if (pkg) {
      if (dynalite.has(pkg)) return OWNERS.emulator;
      if (pkg === 'ws') return OWNERS.gateway;
      if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg.startsWith('@aws-crypto/'))
        return OWNERS.sdk;
      if (pkg.startsWith('@aws-lambda-powertools/') || pkg === 'aws-jwt-verify') return OWNERS.lambdaLibs;
      if (pkg === 'tsx') return OWNERS.tsx;
      return `${OWNERS.other}: ${pkg}`;
    }
    if (url.includes('/lambdas/')) return OWNERS.ours;
    if (url.includes('/local/')) return OWNERS.gateway;
    if (url.includes('/bench/')) return OWNERS.bench;
    return undefined; // node core, native, or an anonymous frame
  };

  const self = new Map<string, number>();
  const attributed = new Map<string, number>();
  const frames = new Map<string, { owner: string; us: number }>();
  let total = 0;
  let busy = 0;
  let overhead = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    total += us;
    const node = byId.get(id);
    if (!node) return;
    const owner = ownerOf(node) ?? OWNERS.core;
    if (owner === 'idle') return;
    let charged = ownerOf(node);
    for (let up = parent.get(id); charged === undefined && up !== undefined; up = parent.get(up)) {
      charged = ownerOf(byId.get(up)!);
    }
    const to = charged === undefined || charged === 'idle' ? OWNERS.core : charged;
    if (to === OWNERS.bench) {
      overhead += us;
      return;
    }
    busy += us;
    self.set(owner, (self.get(owner) ?? 0) + us);
    attributed.set(to, (attributed.get(to) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const key =
      `${functionName || '(anonymous)'} ${url ? `${url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '')}:${lineNumber + 1}` : ''}`.trim();
    const frame = frames.get(key) ?? { owner, us: 0 };
    frame.us += us;
    frames.set(key, frame);
  });
  const percent = (us: number) => Number(((100 * us) / Math.max(1, busy)).toFixed(1));
  const sorted = (map: Map<string, number>) =>
    Object.fromEntries([...map].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, percent(v)]));
  const roles = new Map<string, number>();
  for (const [owner, us] of attributed) {
    const role =
      owner === OWNERS.emulator || owner === OWNERS.gateway
        ? 'emulation (dynalite, local gateway): not run by AWS'
        : owner === OWNERS.ours || owner === OWNERS.sdk || owner === OWNERS.lambdaLibs
          ? 'Lambda code (ours, AWS SDK, Powertools, jwt): runs in AWS too'
          : owner === OWNERS.socketWrite
            ? OWNERS.socketWrite
            : 'Node core, GC, native (not attributed to either)';
    roles.set(role, (roles.get(role) ?? 0) + us);
  }
  return {
    sampledMs: Number((total / 1000).toFixed(0)),
    busyMs: Number((busy / 1000).toFixed(0)),
    profilerOverheadMs: Number((overhead / 1000).toFixed(0)),
    byRole: sorted(roles),
    selfByOwner: sorted(self),
    attributedByOwner: sorted(attributed),
    topFrames: [...frames]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, 15)
      .map(([frame, { owner, us }]) => ({ frame, owner, percent: percent(us) })),
  };
}
