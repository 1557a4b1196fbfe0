/**
 * Applications and their WebSockets, and delivery of events in Asterisk's wire shape:
 * the event's own fields in Asterisk's order, then `asterisk_id` and `application`.
 * An app whose socket is closed stays registered (its channels stay in it); events for it
 * are lost until it reconnects, exactly as Asterisk does.
 */
import type { WebSocket } from 'ws';
import { asteriskTime } from './clock.ts';

export interface AppState {
  name: string;
  /** the socket that currently receives this app's events (the newest one) */
  socket: WebSocket | null;
  subscribeAll: boolean;
  /** eventFilter (PUT /applications/{app}/eventFilter): allowed types (empty: all), disallowed types */
  allowed?: Set<string>;
  disallowed?: Set<string>;
}

export type EventBody = Record<string, unknown> & { type: string };

export interface SentEvent {
  event: EventBody & { asterisk_id: string; application: string };
  /** false when the app had no open WebSocket (the event is lost, as with Asterisk) */
  delivered: boolean;
}

/**
 * Builds an event body: `pre` fields (Asterisk puts e.g. `variable`/`value`, `cause`/`soft`
 * before `type`), then type and timestamp, then `post` fields.
 */
export function eventBody(type: string, post: Record<string, unknown> = {}, pre: Record<string, unknown> = {}): EventBody {
  return { ...pre, type, timestamp: asteriskTime(), ...post };
}

export class EventHub {
  readonly apps = new Map<string, AppState>();
  running = true;

  constructor(
    private readonly asteriskId: string,
    private readonly onSent: (sent: SentEvent) => void,
  ) {}

  /** A socket subscribed to `names`; it becomes the receiving socket of each app. */
  attach(ws: WebSocket, names: string[], subscribeAll: boolean): void {
    for (const name of names) {
      const app = this.apps.get(name);
      if (app) {
        const old = app.socket;
        app.socket = ws;
        app.subscribeAll = subscribeAll;
        if (old && old !== ws && old.readyState === old.OPEN) {
          old.send(JSON.stringify({ ...eventBody('ApplicationReplaced'), asterisk_id: this.asteriskId, application: name }));
        }
      } else {
        this.apps.set(name, { name, socket: ws, subscribeAll });
      }
    }
  }

  /** A socket closed: its apps become inactive (but stay registered with their channels). */
  detach(ws: WebSocket): void {
    for (const app of this.apps.values()) if (app.socket === ws) app.socket = null;
  }

  isActive(name: string): boolean {
    const s = this.apps.get(name)?.socket;
    return !!s && s.readyState === s.OPEN;
  }

  subscribeAllApps(): string[] {
    return [...this.apps.values()].filter((a) => a.subscribeAll).map((a) => a.name);
  }

  /** Closes sockets server-side (all, or only those of one app). */
  drop(name?: string): number {
    const sockets = new Set<WebSocket>();
    for (const app of this.apps.values()) {
      if (app.socket && (name === undefined || app.name === name)) sockets.add(app.socket);
    }
    for (const ws of sockets) {
      this.detach(ws);
      ws.terminate();
    }
    return sockets.size;
  }

  deliver(apps: Iterable<string>, body: EventBody): void {
    if (!this.running) return;
    for (const name of new Set(apps)) {
      const app = this.apps.get(name);
      // Asterisk's event filter: disallowed wins, an empty allowed list lets everything through
      if (app && ((app.allowed?.size && !app.allowed.has(body.type)) || app.disallowed?.has(body.type))) continue;
      const event = { ...body, asterisk_id: this.asteriskId, application: name };
      const ws = app?.socket;
      let delivered = false;
      if (ws && ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify(event));
        delivered = true;
      }
      this.onSent({ event, delivered });
    }
  }
}
