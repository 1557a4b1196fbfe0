/**
 * Mixing bridges of Stasis: create, list, add/remove channels, destroy, with the Bridge
 * events. The apps of channels that enter a bridge are subscribed to it.
 */
import { asteriskTime } from './clock.ts';
import type { Channel } from './channels.ts';
import type { SwitchCore } from './core.ts';
import { AriError } from './errors.ts';

export interface BridgeSnapshot {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  video_mode: string;
  creationtime: string;
}

export class Bridge {
  readonly channels: Channel[] = [];
  /** apps subscribed to the bridge (those of channels that entered it) */
  readonly apps = new Set<string>();
  readonly creationtime = asteriskTime();
  constructor(
    readonly id: string,
    readonly name: string,
    readonly type: string,
  ) {}

  snapshot(): BridgeSnapshot {
    return {
      id: this.id,
      technology: 'simple_bridge',
      bridge_type: this.type.includes('holding') ? 'holding' : 'mixing',
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: this.name,
      channels: this.channels.map((c) => c.id),
      video_mode: 'none',
      creationtime: this.creationtime,
    };
  }
}

const BRIDGE_TYPES = new Set(['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label']);

export function createBridge(core: SwitchCore, id: string, type: string | undefined, name: string | undefined): Bridge {
  const types = (type ?? 'mixing').split(',').map((t) => t.trim()).filter(Boolean);
  const bad = types.find((t) => !BRIDGE_TYPES.has(t));
  if (bad !== undefined) throw new AriError(400, `Invalid bridge type '${bad}'`);
  const existing = core.bridges.get(id);
  if (existing) return existing;
  const b = new Bridge(id, name ?? '', types.join(',') || 'mixing');
  core.bridges.set(id, b);
  core.sendTo(b.apps, 'BridgeCreated', { bridge: b.snapshot() });
  return b;
}

export function bridge(core: SwitchCore, id: string): Bridge {
  const b = core.bridges.get(id);
  if (!b) throw new AriError(404, 'Bridge not found');
  return b;
}

/** A channel enters the bridge (leaving any other bridge first). */
export function joinBridge(core: SwitchCore, b: Bridge, ch: Channel): void {
  if (ch.bridge === b || !ch.alive) return;
  if (ch.bridge) leaveBridge(core, ch.bridge, ch);
  b.channels.push(ch);
  ch.bridge = b;
  if (ch.stasisApp) b.apps.add(ch.stasisApp);
  core.sendTo(ch.subscribers(b.apps), 'ChannelEnteredBridge', { bridge: b.snapshot(), channel: ch.snapshot() });
}

export function leaveBridge(core: SwitchCore, b: Bridge, ch: Channel): void {
  const at = b.channels.indexOf(ch);
  if (at < 0) return;
  b.channels.splice(at, 1);
  const apps = ch.subscribers(b.apps);
  ch.bridge = null;
  core.sendTo(apps, 'ChannelLeftBridge', { bridge: b.snapshot(), channel: ch.snapshot() });
}

export function destroyBridge(core: SwitchCore, b: Bridge): void {
  for (const ch of [...b.channels]) leaveBridge(core, b, ch);
  core.bridges.delete(b.id);
  core.sendTo(b.apps, 'BridgeDestroyed', { bridge: b.snapshot() });
}
