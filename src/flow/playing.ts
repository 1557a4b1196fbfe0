/**
 * A prompt state: entering it starts the playback of its items (the `play` command), leaving it
 * stops that playback (`stopPlay`: a key barged in, the caller hung up, a `*` re-entered it), and the
 * playback's own end (PLAY_DONE: played, or could not play) takes the `done` transition. A command
 * and an event instead of an invoked actor: no child actor is made, started and stopped per prompt
 * (./ports.ts FlowCommand; the adapter side is ./playback.ts runPlays).
 */
import type { SayItem } from '../domain/say.ts';
import { flowSetup, type FlowContext } from './setup.ts';

type StateConfig = Parameters<typeof flowSetup.createStateConfig>[0];
type OnConfig = NonNullable<StateConfig['on']>;

export interface PlayingOptions {
  /** what to say: fixed, or from the context when the state is entered */
  items: readonly SayItem[] | ((c: FlowContext) => SayItem[]);
  /** where the playback's own end goes (played or failed: a prompt that cannot play never stalls the caller) */
  done: NonNullable<OnConfig['PLAY_DONE']>;
  /** the state's other events (keys while it plays: barge-in) */
  on?: Omit<OnConfig, 'PLAY_DONE'>;
}

export function playingState(o: PlayingOptions) {
  const items = o.items;
  return flowSetup.createStateConfig({
    entry: {
      type: 'play',
      params: typeof items === 'function' ? ({ context }) => ({ items: items(context) }) : { items: items as SayItem[] },
    },
    exit: 'stopPlay',
    on: { ...o.on, PLAY_DONE: o.done },
  });
}
