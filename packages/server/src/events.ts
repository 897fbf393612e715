import { EventEmitter } from 'node:events';

/** A live update pushed over Server-Sent Events (实时进度). `orgPath` decides who receives it. */
export interface LiveEvent {
  type: 'application' | 'photo' | 'progress' | 'certificate';
  orgPath: string;
  data: Record<string, unknown>;
}

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(e: LiveEvent): void {
    this.emitter.emit('event', e);
  }
  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}
