/**
 * TIMEOUT(absolute) as Asterisk's func_timeout does it: setting it to N > 0 arms a deadline N
 * seconds from now (replacing the previous one), 0 disarms it. At the deadline the channel is
 * soft-hung-up with AST_SOFTHANGUP_TIMEOUT: a channel in Stasis() leaves the application
 * (StasisEnd) and its dialplan goes on at the `T` extension of its context; elsewhere the
 * channel runs `T` when its context has one, else it hangs up.
 *
 * The project's dialplan arms it before Stasis() and the IVR service keeps pushing it forward
 * while it is alive: a service that dies leaves its callers in Stasis() only until the deadline.
 *
 * Unlike prompts and DTMF, the deadline runs in wall-clock time whatever the switch's time scale:
 * it guards against a dead or frozen process, whose pushes are late in real time (a loaded test
 * machine lags the same real milliseconds at any speed-up).
 */
import type { Channel } from './channels.ts';
import type { SwitchCore } from './core.ts';
import { extensionExists } from './dialplan.ts';
import { hangupChannel } from './lifecycle.ts';
import { leaveBridge } from './bridges.ts';
import { notInStasis } from './errors.ts';

export const ABSOLUTE_TIMEOUT = 'TIMEOUT(absolute)';
const armed = new WeakMap<Channel, { cancel: () => void }>();

export function setAbsoluteTimeout(core: SwitchCore, ch: Channel, value: string): void {
  armed.get(ch)?.cancel();
  armed.delete(ch);
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) return;
  const timer = setTimeout(() => {
    ch.hangupSignal.signal.removeEventListener('abort', cancel);
    armed.delete(ch);
    if (!ch.alive || ch.hangingUp || !core.running) return;
    fire(core, ch);
  }, seconds * 1000);
  timer.unref();
  const cancel = () => clearTimeout(timer);
  ch.hangupSignal.signal.addEventListener('abort', cancel, { once: true });
  armed.set(ch, {
    cancel: () => {
      cancel();
      ch.hangupSignal.signal.removeEventListener('abort', cancel);
    },
  });
}

function fire(core: SwitchCore, ch: Channel): void {
  const context = ch.dialplan.context;
  const hasT = extensionExists(core, context, 'T');
  core.log?.info({ channel: ch.id, context, inStasis: Boolean(ch.stasisApp) }, 'switch: TIMEOUT(absolute) reached');
  if (ch.stasisApp && ch.hasPbx && hasT) {
    // the soft hang-up interrupts a prompt and every command waiting behind it
    for (const pb of [...ch.playbacks]) pb.failOnHangup();
    if (ch.bridge) leaveBridge(core, ch.bridge, ch);
    core.sendOnly([ch.stasisApp], 'StasisEnd', { channel: ch.snapshot() });
    ch.stasisApp = null;
    ch.queue.close(notInStasis());
    ch.exitStasis({ kind: 'continue', context, exten: 'T', priority: 1 });
    return;
  }
  // outside Stasis the switch's dialplan never arms it (agents-common disarms it): hang up as Asterisk does without a T
  hangupChannel(core, ch, { requestCause: 16, soft: true, cause: 16 });
}
