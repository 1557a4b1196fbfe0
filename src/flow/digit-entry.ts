/**
 * The reusable digit-entry: national ID, order number, area code, mobile number.
 *
 *   setNode   IVR_NODE = <kind> (every try re-sets it)
 *   ready     type-ahead keys waiting? → collect them (prompt skipped) : prompt
 *   prompt    [explanation of the last failure] + the entry prompt, barge-in: any key stops it
 *   waitFirst first-digit timeout (FlowConfig.timeouts.firstDigitMs) → no-input, a failed try
 *   collect   the `readDigits` step reads the rest of the entry from the keypad, outside the
 *             machine (./read-digits.ts, as Asterisk's Read()): the type-ahead first, then the
 *             caller's keys; the machine hears of it once, when the entry ends. No key for the
 *             inter-digit timeout (interDigitMs) → the entry ends as if # was pressed
 *   keys      0-9 appended (maxLength reached → ends by itself); # ends early;
 *             * clears what was keyed and plays the prompt again (not a try); A–D ignored
 *   submit    nothing keyed → no-input; valid → read-back / confirm / accept;
 *             invalid → the reason's explanation prompt, a failed try
 *   failed    tries left → again from setNode; else → onFailed (the caller goes to an agent)
 *   readBack  (announce) "you entered 0 4 9 9 …"; * during it re-enters (not a try), another key
 *             ends it and is kept as type-ahead for what comes next
 *   confirm   (confirm) read-back + "1 confirms, 2 re-enters": a one-key menu with node
 *             confirm-<kind>; 2 uses one try of the entry; no/wrong key → asked again, counted apart
 *   accept    the value is stored in the context field → onValid
 */
import type { SnapshotFrom } from 'xstate';
import type { SayItem } from '../domain/say.ts';
import { confirmNode, FlowConfig, type EntrySpec, type PromptsSpec, type ReadBack } from './config.ts';
import { menuState, setNodeState, withReason, type Actions, type DtmfTransition } from './listen.ts';
import { playingState } from './playing.ts';
import { flowSetup, initialContext, prompt, type FlowContext } from './setup.ts';
import type { EntryKind } from './validate.ts';

export type EntryField = 'nationalId' | 'orderNumber' | 'areaCode' | 'mobile';

export const ENTRY_FIELD: Record<EntryKind, EntryField> = {
  'national-id': 'nationalId',
  'order-number': 'orderNumber',
  'area-code': 'areaCode',
  mobile: 'mobile',
};

export interface EntryOptions {
  /** state id of the entry (unique in the machine); its children are `#<id>.<child>` */
  id: string;
  kind: EntryKind;
  spec: EntrySpec;
  /** overrides spec.readBack */
  readBack?: ReadBack;
  /** failed tries allowed (FlowConfig.tries.entry) */
  maxTries: number;
  /** wrong/no key tries allowed in the confirmation (FlowConfig.tries.menu) */
  confirmTries: number;
  prompts: PromptsSpec;
  /** where a valid value goes (#id); the value is in context[ENTRY_FIELD[kind]] */
  onValid: { target: string; actions?: Actions };
  /** where the caller goes after the last failed try (#id) */
  onFailed: { target: string; actions?: Actions };
}

export function entryState(o: EntryOptions) {
  const { spec, kind } = o;
  const readBack = o.readBack ?? spec.readBack;
  const field = ENTRY_FIELD[kind];
  const node = () => kind;
  const ends: DtmfTransition[] = [
    { guard: 'isSwallowedHash', actions: 'clearSwallow' },
    { guard: { type: 'isKey', params: { key: spec.terminator } }, target: 'submit' },
    { guard: { type: 'isKey', params: { key: '*' } }, target: 'setNode', actions: 'clearEntry' },
    { guard: { type: 'digitFills', params: { max: spec.maxLength } }, target: 'submit', actions: ['appendDigit', 'armSwallow'] },
  ];
  // the first digit: the rest of the entry is read outside the machine (`collect`)
  const keys: DtmfTransition[] = [...ends, { guard: 'isDigit', target: 'collect', actions: 'appendDigit' }, {}];
  const afterValid = readBack === 'confirm' ? 'confirm' : readBack === 'announce' ? 'readBack' : 'accept';
  // read back in the groups people say the number in (049 · 937089 · 9; 0912 · 123 · 4567), one playback
  const readBackItems = (c: FlowContext): SayItem[] => [prompt(o.prompts.youEntered), { kind: 'identifier', value: c.listen.buf, format: kind }];
  return flowSetup.createStateConfig({
    id: o.id,
    initial: 'setNode',
    entry: 'resetListen',
    states: {
      setNode: setNodeState(node, 'ready'),
      ready: {
        // the reader takes the type-ahead keys first
        always: [{ guard: 'hasPending', target: 'collect' }, { target: 'prompt' }],
      },
      prompt: playingState({ items: (context) => withReason(context, [prompt(spec.prompt)]), done: 'waitFirst', on: { DTMF: keys } }),
      waitFirst: {
        after: { firstDigit: { target: 'failed', actions: { type: 'countTry', params: { reason: o.prompts.noInput } } } },
        on: { DTMF: keys },
      },
      collect: {
        invoke: {
          src: 'readDigits',
          input: ({ context, self }) => ({
            buf: context.listen.buf,
            keys: context.pending,
            swallowHash: context.swallowHash,
            maxLength: spec.maxLength,
            terminator: spec.terminator,
            interDigitMs: interDigitMs(self),
          }),
          onDone: [
            { guard: { type: 'readEnded', params: { end: 'restart' } }, target: 'setNode', actions: ['takeRead', 'clearEntry'] },
            // at its maximum length: a # next is dropped by the keypad (./read-digits.ts)
            { target: 'submit', actions: 'takeRead' },
          ],
          // cannot happen with ./read-digits.ts; an entry that could not be read is judged on what the machine holds
          onError: 'submit',
        },
        // a key that reaches the machine here (the reader ended, its end not yet taken): type-ahead
        on: { DTMF: { actions: 'queueKey' } },
      },
      submit: {
        always: [
          { guard: 'bufEmpty', target: 'failed', actions: { type: 'countTry', params: { reason: o.prompts.noInput } } },
          { guard: { type: 'entryValid', params: { kind, min: spec.minLength } }, target: afterValid },
          { target: 'failed', actions: { type: 'countInvalid', params: { kind, reasons: o.prompts.reasons } } },
        ],
      },
      failed: {
        always: [
          { guard: { type: 'triesExhausted', params: { max: o.maxTries } }, target: o.onFailed.target, actions: o.onFailed.actions },
          { target: 'setNode' },
        ],
      },
      readBack: playingState({
        items: readBackItems,
        done: 'accept',
        on: {
          DTMF: [
            { guard: 'isSwallowedHash', actions: 'clearSwallow' },
            { guard: { type: 'isKey', params: { key: '*' } }, target: 'setNode', actions: 'clearEntry' },
            { target: 'accept', actions: 'queueKey' },
          ],
        },
      }),
      confirm: menuState({
        node: () => confirmNode(kind),
        items: (c) => [...readBackItems(c), prompt(spec.confirmPrompt)],
        keys: [
          { guard: { type: 'isKey', params: { key: '1' } }, target: `#${o.id}.accept` },
          { guard: { type: 'isKey', params: { key: '2' } }, target: `#${o.id}.failed`, actions: { type: 'countTry', params: { reason: null } } },
        ],
        maxTries: o.confirmTries,
        confirm: true,
        reset: false,
        onExhausted: o.onFailed,
        invalidKeyPrompt: o.prompts.invalidKey,
        noInputPrompt: o.prompts.noInput,
      }),
      accept: {
        always: { target: o.onValid.target, actions: [{ type: 'storeEntry', params: { field } }, ...asArray(o.onValid.actions)] },
      },
    },
  });
}

/**
 * The inter-digit timeout of the machine that runs the entry: its `interDigit` delay, as
 * createCallMachine or a scaled machine (src/app/stack.ts) provided it.
 */
function interDigitMs(self: unknown): number {
  const d = (self as { logic?: { implementations?: { delays?: Record<string, unknown> } } }).logic?.implementations?.delays?.interDigit;
  return typeof d === 'number' && d > 0 ? d : DEFAULT_INTER_DIGIT_MS;
}
const DEFAULT_INTER_DIGIT_MS = 3000;

function asArray<T>(a: T | readonly T[] | undefined): T[] {
  if (a === undefined) return [];
  return Array.isArray(a) ? [...(a as readonly T[])] : [a as T];
}

export type DigitEntryResult = { status: 'valid'; value: string } | { status: 'max-tries' } | { status: 'caller-hangup' } | { status: 'running' };

/**
 * One digit entry as a machine of its own (the same states the call machine embeds), for tests
 * and tools. Input: CallInput. Ends in `valid`, `max-tries` or `hung-up`; read the result with
 * `digitEntryResult(snapshot)`.
 */
export function createDigitEntryMachine(kind: EntryKind, cfgInput: unknown = {}, readBack?: ReadBack) {
  const cfg = FlowConfig.parse(cfgInput);
  return flowSetup
    .createMachine({
      id: 'entry-machine',
      context: ({ input }) => initialContext(input),
      initial: 'entry',
      on: { DTMF: { actions: 'queueKey' }, HANGUP: '.hung-up' },
      states: {
        entry: entryState({
          id: 'entry',
          kind,
          spec: cfg.entries[kind],
          ...(readBack ? { readBack } : {}),
          maxTries: cfg.tries.entry,
          confirmTries: cfg.tries.menu,
          prompts: cfg.prompts,
          onValid: { target: '#entry-machine.valid' },
          onFailed: { target: '#entry-machine.max-tries' },
        }),
        valid: { type: 'final' },
        'max-tries': { type: 'final' },
        'hung-up': { type: 'final' },
      },
    })
    .provide({
      delays: { firstDigit: cfg.timeouts.firstDigitMs, interDigit: cfg.timeouts.interDigitMs, menuTimeout: cfg.timeouts.menuMs },
    });
}

export function digitEntryResult(
  snap: SnapshotFrom<ReturnType<typeof createDigitEntryMachine>>,
  kind: EntryKind,
): DigitEntryResult {
  if (snap.matches('valid')) return { status: 'valid', value: snap.context.entered[ENTRY_FIELD[kind]] ?? '' };
  if (snap.matches('max-tries')) return { status: 'max-tries' };
  if (snap.matches('hung-up')) return { status: 'caller-hangup' };
  return { status: 'running' };
}
