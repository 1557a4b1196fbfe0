/**
 * The adapter's side of the flow's prompts (./playing.ts): runs the machine's `play` / `stopPlay`
 * commands with a Player (the service's plays on the channel, a test's fake) and sends PLAY_DONE
 * when the current playback ends by itself. One playback at a time per call: a playback the flow
 * stopped, or one a newer `play` replaced, never sends PLAY_DONE, so a late end cannot move a later
 * prompt on. A Player that throws or fails counts as a playback that could not play: PLAY_DONE
 * (the caller is never left in a prompt state that waits for nothing).
 */
import type { AnyActorRef } from 'xstate';
import type { FlowCommand, Playback, Player } from './ports.ts';

/** the call machine's actor (or any actor that emits the flow's commands and takes PLAY_DONE) */
type CommandActor = Pick<AnyActorRef, 'on' | 'send' | 'getSnapshot'>;

const NOTHING: Playback = { finished: Promise.resolve('failed'), stop() {} };

/**
 * Wires a call's actor to a Player; call before `actor.start()`. `stop()` ends the playback in
 * progress (the adapter's own end of the call: the actor stopped without leaving its state).
 */
export function runPlays(actor: CommandActor, player: Player, onError: (e: unknown) => void = () => {}): { stop(): void } {
  let current: Playback | null = null;
  const stopCurrent = () => {
    const p = current;
    if (!p) return;
    current = null;
    try {
      p.stop();
    } catch (e) {
      onError(e);
    }
  };
  const ended = (p: Playback) => {
    if (current !== p) return;
    current = null;
    if ((actor.getSnapshot() as { status: string }).status === 'active') actor.send({ type: 'PLAY_DONE' });
  };
  actor.on('play', ({ items }: Extract<FlowCommand, { type: 'play' }>) => {
    stopCurrent();
    let p: Playback;
    try {
      p = player({ items });
    } catch (e) {
      onError(e);
      p = NOTHING;
    }
    current = p;
    p.finished.then(
      () => ended(p),
      (e) => {
        onError(e);
        ended(p);
      },
    );
  });
  actor.on('stopPlay', stopCurrent);
  return { stop: stopCurrent };
}
