/**
 * How the execution environments of environments.ts are scheduled, apart from the worker threads that run them (so
 * that a unit test drives it with fake environments): per function a FunctionPool of warm environments and waiting
 * invocations, and for the whole stack the ColdStartSlots that bound how many environments are in their Init at once.
 */
import * as os from 'os';

/** The function's concurrency limit is reached: Lambda refuses the invocation (TooManyRequestsException). */
export class LambdaThrottledError extends Error {
  override name = 'TooManyRequestsException';
}

/** What a FunctionPool needs of an environment (an interface, so that the scheduling is tested without workers). */
export interface PooledEnvironment {
  /** Settles when the Init has ended, well or not. */
  readonly ready: Promise<unknown>;
  readonly alive: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  end(): void;
}

/**
 * How many environments of the stack may be in their Init at once, across functions. Lambda creates as many as the
 * invocations need, each on hardware of its own; here every Init takes CPU from the same few cores, so a burst that
 * started one environment per waiting invocation would slow every Init down, and every new arrival would start yet
 * another (the storm that ended in throttles). Invocations that find no warm environment and no free slot wait
 * for whichever comes first: an environment released by its invocation, or a slot.
 */
export class ColdStartSlots {
  private inUse = 0;
  private readonly waiting = new Set<{ pump(): void }>();

  /** `saturated`: whether the cores are busy (CpuLoad); a pool grows past its maxEnvironments only while they are not. */
  constructor(
    private readonly capacity: number,
    readonly saturated: () => boolean = () => true,
  ) {}

  /** The cores have room: pools with waiting invocations may grow. */
  pumpAll(): void {
    for (const pool of [...this.waiting]) pool.pump();
  }

  take(): boolean {
    if (this.inUse >= this.capacity) return false;
    this.inUse += 1;
    return true;
  }

  /** A slot is free again: the pools with waiting invocations may start an environment with it. */
  give(): void {
    this.inUse -= 1;
    for (const pool of [...this.waiting]) pool.pump();
  }

  wantSlot(pool: { pump(): void }, wants: boolean): void {
    if (wants) this.waiting.add(pool);
    else this.waiting.delete(pool);
  }
}

/**
 * The environments of one function: warm ones stacked most recent last, how many exist (busy, warm or in Init), how
 * many invocations are in flight (running or waiting for an environment), and the waiting ones (first come, first
 * served). The concurrency limit counts the invocations running (in an environment or its Init), as Lambda counts
 * concurrent executions; one waiting for an environment is not counted: it waits only because this machine's cores
 * are busy, where Lambda would run it, so counting it turned a loaded machine into throttles AWS would not give (99 of
 * 250 pops of test/e2e/popBurst.test.ts answered 500 while a CI run loaded both cores). Waiting invocations are
 * bounded apart, at WAITING_PER_CONCURRENCY times the limit. How many environments serve them is bounded by
 * `maxEnvironments` (local/README.md "Execution environments").
 */
/** Waiting invocations allowed per unit of concurrency: a bound on memory under an absurd load, not a throttle. */
const WAITING_PER_CONCURRENCY = 10;

export class FunctionPool<E extends PooledEnvironment = PooledEnvironment> {
  private readonly idle: E[] = [];
  private readonly all = new Set<E>();
  private readonly waiters: ((environment: E) => void)[] = [];
  private inFlight = 0;

  constructor(
    private readonly create: () => E,
    private readonly limits: { readonly concurrency: number; readonly maxEnvironments: number },
    private readonly idleMs: number,
    private readonly slots: ColdStartSlots,
  ) {}

  /**
   * A warm environment, else a new one while the function may have another and a cold-start slot is free, else the
   * first environment released or slot freed; throws LambdaThrottledError when the concurrency limit's invocations
   * are already running (or the waiting ones reach their bound). Every acquire is ended by one `finish`.
   */
  acquire(): Promise<E> {
    const waiting = this.waiters.length;
    const running = this.inFlight - waiting;
    if (running >= this.limits.concurrency || waiting >= this.limits.concurrency * WAITING_PER_CONCURRENCY)
      throw new LambdaThrottledError('Rate Exceeded.');
    this.inFlight += 1;
    const warm = this.takeWarm();
    if (warm) return Promise.resolve(warm);
    const withinCap = this.all.size < this.limits.maxEnvironments;
    if (this.waiters.length === 0 && withinCap && this.slots.take()) return Promise.resolve(this.startOne());
    return new Promise<E>((resolve) => {
      this.waiters.push(resolve);
      this.wantSlot();
    });
  }

  /** The invocation that acquired `environment` is over: keep it warm (if it is alive and not surplus) or end it. */
  finish(environment: E, keep: boolean): void {
    this.inFlight -= 1;
    // Grown past maxEnvironments while the cores had room, the pool shrinks back once they are busy again: every
    // environment in use is an isolate warming its own JIT (local/README.md, "Execution environments").
    const surplus = this.all.size > this.limits.maxEnvironments && this.slots.saturated();
    if (keep && environment.alive && !surplus) this.release(environment);
    else this.discard(environment);
  }

  /** Hands free slots to waiting invocations, as long as the function may have another environment. */
  pump(): void {
    while (this.waiters.length > 0 && this.mayGrow() && this.slots.take()) this.waiters.shift()!(this.startOne());
    this.wantSlot();
  }

  size(): number {
    return this.all.size;
  }

  close(): void {
    for (const environment of this.all) environment.end();
    this.all.clear();
    this.idle.length = 0;
    this.slots.wantSlot(this, false);
  }

  private release(environment: E): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.wantSlot();
      return waiter(environment);
    }
    environment.idleTimer = setTimeout(() => this.retire(environment), this.idleMs).unref();
    this.idle.push(environment);
  }

  private discard(environment: E): void {
    this.all.delete(environment);
    environment.end();
    this.pump();
  }

  /**
   * Up to maxEnvironments always; past it, up to the concurrency limit, only while the cores are not saturated: then
   * the busy environments are waiting on I/O (a slow consumer, a slow dependency), and Lambda would scale out. Past
   * maxEnvironments an invocation first waits for a release until CpuLoad's next sample says there is room.
   */
  private mayGrow(): boolean {
    const size = this.all.size;
    return size < this.limits.maxEnvironments || (size < this.limits.concurrency && !this.slots.saturated());
  }

  private wantSlot(): void {
    this.slots.wantSlot(this, this.waiters.length > 0);
  }

  /** A new environment holding a cold-start slot until its Init ends, well or not. */
  private startOne(): E {
    const created = this.create();
    this.all.add(created);
    const free = () => this.slots.give();
    created.ready.then(free, free);
    return created;
  }

  private takeWarm(): E | undefined {
    for (let warm = this.idle.pop(); warm; warm = this.idle.pop()) {
      clearTimeout(warm.idleTimer);
      if (warm.alive) return warm;
      this.all.delete(warm);
    }
    return undefined;
  }

  private retire(environment: E): void {
    const at = this.idle.indexOf(environment);
    if (at >= 0) this.idle.splice(at, 1);
    this.discard(environment);
  }
}

/**
 * Whether the machine's cores were mostly busy over the last interval (os.cpus(), all processes: the environments
 * share the cores with dynalite, cognito-local and the callers, so this process's own share would say too little);
 * calls `onRoom` after each sample that found room.
 */
export class CpuLoad {
  private busy = false;
  private last = cpuTimes();
  private readonly timer: NodeJS.Timeout;

  constructor(
    onRoom: () => void,
    intervalMs = 100,
    private readonly threshold = 0.75,
  ) {
    this.timer = setInterval(() => {
      const now = cpuTimes();
      const total = now.total - this.last.total;
      this.busy = total > 0 && (now.busy - this.last.busy) / total > this.threshold;
      this.last = now;
      if (!this.busy) onRoom();
    }, intervalMs).unref();
  }

  saturated(): boolean {
    return this.busy;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Busy and total CPU time of all cores so far (ms). */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const used = times.user + times.nice + times.sys + times.irq;
    busy += used;
    total += used + times.idle;
  }
  return { busy, total };
}
