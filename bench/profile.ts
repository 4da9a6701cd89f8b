import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { must } from './must.js';

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

/** Where a frame's code lives: an npm package, a directory of src/, or node itself. */
function owner(url: string): string {
  if (!url) return '(native: GC, syscalls, idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const src = /\/(src\/[^/]+(?:\/[^/.]+)?)/.exec(url);
  if (src?.[1]) return src[1];
  if (url.startsWith('node:')) return 'node (streams, sockets, timers)';
  if (url.includes('/bench/')) return 'bench harness';
  return url.split('/').slice(-2).join('/');
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  /** Self time by owner, busiest first (idle excluded). */
  byOwner: { owner: string; ms: number; share: number }[];
  /** Self time by function, busiest first. */
  byFunction: { fn: string; ms: number }[];
  /** The longest stretches without an idle moment (see longTasks). */
  longTasks?: { ms: number; top: { fn: string; ms: number }[] }[];
}

export function summarise(profile: CpuProfile, file: string, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let total = 0;
  let idle = 0;
  const owners = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const node = must(byId.get(id), `profile node ${id}`);
    total += us;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const o = owner(node.callFrame.url);
    owners.set(o, (owners.get(o) ?? 0) + us);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${o}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const busy = total - idle;
  return {
    file,
    totalMs: Math.round(total / 1000),
    idleMs: Math.round(idle / 1000),
    byOwner: [...owners.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([o, us]) => ({ owner: o, ms: Math.round(us / 1000), share: Math.round((us / busy) * 1000) / 10 })),
    byFunction: [...fns.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000) })),
  };
}

/**
 * The stretches in which the event loop never went idle for longer than `minMs`: what a
 * `monitorEventLoopDelay` maximum is made of. Each with the functions that took most of it (self
 * time) and the deepest frame of our own code or of a package under them.
 */
export function longTasks(profile: CpuProfile, minMs = 50): { ms: number; top: { fn: string; ms: number }[] }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const tasks: { ms: number; top: { fn: string; ms: number }[] }[] = [];
  let run: [number, number][] = [];
  const close = () => {
    const us = run.reduce((a, [, d]) => a + d, 0);
    if (us / 1000 >= minMs) {
      const fns = new Map<string, number>();
      for (const [id, d] of run) {
        // Name a sample by its own frame and the nearest frame of a package or of src/ above it.
        let label = '';
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
          const f = must(byId.get(at), `profile node ${at}`).callFrame;
          if (f.url && !f.url.startsWith('node:')) {
            label = `${f.functionName || '(anonymous)'} ${owner(f.url)}`;
            break;
          }
        }
        const self = must(byId.get(id), `profile node ${id}`).callFrame;
        const fn = `${self.functionName || '(anonymous)'} ${owner(self.url)}${label ? ` ← ${label}` : ''}`;
        fns.set(fn, (fns.get(fn) ?? 0) + d);
      }
      tasks.push({
        ms: Math.round(us / 1000),
        top: [...fns.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([fn, d]) => ({ fn, ms: Math.round(d / 1000) })),
      });
    }
    run = [];
  };
  profile.samples.forEach((id, i) => {
    const name = must(byId.get(id), `profile node ${id}`).callFrame.functionName;
    if (name === '(idle)') close();
    else run.push([id, profile.timeDeltas[i] ?? 0]);
  });
  close();
  return tasks.sort((a, b) => b.ms - a.ms).slice(0, 10);
}

/** Samples this process's CPU (the service runs in it) around one measured phase; or has a child process profile itself. */
export class Profiler {
  private session: Session | undefined;

  constructor(private readonly dir: string | undefined) {}

  get enabled(): boolean {
    return this.dir !== undefined;
  }

  async start(): Promise<void> {
    if (!this.dir) return;
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.session.post('Profiler.start');
  }

  async stop(name: string): Promise<ProfileSummary | undefined> {
    if (!this.dir || !this.session) return undefined;
    const { profile } = (await this.session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    this.session.disconnect();
    this.session = undefined;
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    return { ...summarise(profile, file), longTasks: longTasks(profile) };
  }

  /** Node flags that make a child process write its own CPU profile, from start to exit, here. */
  childFlags(name: string): string[] {
    return this.dir ? ['--cpu-prof', `--cpu-prof-dir=${this.dir}`, `--cpu-prof-name=${name}.cpuprofile`, '--cpu-prof-interval=500'] : [];
  }

  /** The summary of what a child given `childFlags(name)` wrote when it exited. */
  async childProfile(name: string): Promise<ProfileSummary | undefined> {
    if (!this.dir) return undefined;
    const file = path.join(this.dir, `${name}.cpuprofile`);
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    return { ...summarise(profile, file), longTasks: longTasks(profile) };
  }
}
