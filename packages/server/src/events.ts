import { EventEmitter } from 'node:events';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';

/** A live update pushed over Server-Sent Events (实时进度). `orgPath` decides who receives it. */
export interface LiveEvent {
  /** `export`: a background export's progress, heard only by the user who started it (data.userId). */
  type: 'application' | 'photo' | 'progress' | 'certificate' | 'export';
  orgPath: string;
  data: Record<string, unknown>;
}

/** Longest event accepted from Redis (an event is a few hundred bytes; anything bigger is not ours). */
const MAX_EVENT_BYTES = 64 * 1024;

/**
 * The event bus (事件总线). In one process: an EventEmitter. With Redis (several web processes and workers, see
 * {@link EventBus.connect}): every event is also published on the deployment's channel, and events published
 * by the other processes are delivered here — an SSE client on one web process hears a change made through
 * another, or by a worker. Local subscribers hear local events at once (synchronously), never twice.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  /** This process on the channel: its own messages coming back from Redis are skipped. */
  private readonly origin = crypto.randomBytes(8).toString('hex');
  private pub: Redis | null = null;
  private sub: Redis | null = null;
  private channel = '';
  constructor(private readonly onError: (e: unknown) => void = () => undefined) {
    this.emitter.setMaxListeners(0);
  }

  /** Joins the deployment's Redis channel; resolves once subscribed (events from then on are shared). */
  async connect(redisUrl: string, channel: string): Promise<void> {
    this.channel = channel;
    this.pub = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.sub = new Redis(redisUrl, { lazyConnect: true });
    for (const c of [this.pub, this.sub]) c.on('error', (e) => this.onError(e));
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    this.sub.on('message', (ch: string, message: string) => {
      if (ch !== this.channel || message.length > MAX_EVENT_BYTES) return;
      try {
        const m = JSON.parse(message) as { origin: string; event: LiveEvent };
        if (m.origin === this.origin || !m.event || typeof m.event.orgPath !== 'string') return;
        this.emitter.emit('event', m.event);
      } catch (e) {
        this.onError(e);
      }
    });
    await this.sub.subscribe(channel);
  }

  get shared(): boolean {
    return this.pub !== null;
  }

  publish(e: LiveEvent): void {
    this.emitter.emit('event', e);
    // Fire and forget: a live update lost while Redis is away is not worth failing the change that caused it.
    this.pub?.publish(this.channel, JSON.stringify({ origin: this.origin, event: e })).catch(this.onError);
  }
  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
  async close(): Promise<void> {
    const clients = [this.pub, this.sub].filter((c): c is Redis => c !== null);
    this.pub = this.sub = null;
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
