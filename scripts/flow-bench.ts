/**
 * The call flow alone (src/flow, xstate), without ARI or stores: N refund calls
 * ("3 4 0499370899# 1403001234# 1") at once through the service's call machine with instant fake
 * actors, keys sent one at a time like a caller's DTMF (each group when IVR_NODE is set, while its
 * prompt plays: barge-in). Prints the process's CPU per call
 * (main thread and V8's threads) per round and the median of the rounds after the first two.
 *
 *   npx tsx scripts/flow-bench.ts [calls=1000] [rounds=8]
 *   node --cpu-prof --cpu-prof-dir=/tmp/fp --import tsx scripts/flow-bench.ts
 */
import { createActor, fromPromise } from 'xstate';
import { createCallMachine } from '../src/flow/call-machine.ts';
import type { Decision, Facts, Question } from '../src/domain/decision.ts';
import type {
  LookupOrderInput,
  LookupOrderOutput,
  QuestionsInput,
  RegisterCustomerInput,
  RegisterCustomerOutput,
  RegisterInput,
  RegisterOutput,
  SendStoresInput,
  SendStoresOutput,
} from '../src/flow/ports.ts';

const calls = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 8);
const SCRIPT = '3 4 0499370899# 1403001234# 1'.split(' ');
const facts: Facts = { customer: null, order: null, stock: null, bouncedCheques: [], earlierRequests: [], answers: {} };
const question: Question = { name: 'refund-kind', prompt: 'question-refund-kind', options: { '1': 'credit', '2': 'cash' } } as Question;
const decision = { rule: 'A6', outcome: 'refund-registered', say: [{ kind: 'prompt', name: 'a6' }], request: { type: 'refund-request', unit: 'follow-up' }, transfer: null, reason: 'bench' } as unknown as Decision;

const machine = createCallMachine({}).provide({ delays: { repeatWindow: 1 } });

/** per call: the key groups still to send and the actor (found through the call's actor system) */
interface Call { groups: string[]; ref: { getSnapshot(): { status: string }; send(e: { type: 'DTMF'; digit: string }): void } }
const calls_ = new WeakMap<object, Call>();
const keyGroup = (c: Call, g: string) => {
  let i = 0;
  const next = () => {
    if (i >= g.length || c.ref.getSnapshot().status !== 'active') return;
    c.ref.send({ type: 'DTMF', digit: g[i++]! });
    setImmediate(next);
  };
  setImmediate(next);
};
// provided once, as the service does (src/app/call-session.ts sharedMachine)
const shared = machine.provide({
  actors: {
    play: fromPromise(({ signal }) => new Promise((r) => {
      const t = setImmediate(() => r({ status: 'done' }));
      signal.addEventListener('abort', () => { clearImmediate(t); r({ status: 'stopped' }); }, { once: true });
    })),
    setVars: fromPromise(async ({ input, system }: { input: { vars: Record<string, string> }; system: object }) => {
      const c = calls_.get(system)!;
      if (input.vars.IVR_NODE !== undefined && input.vars.IVR_NODE !== 'hear-again' && c.groups.length) keyGroup(c, c.groups.shift()!);
    }),
    transfer: fromPromise(async () => {}),
    hangup: fromPromise(async () => {}),
    lookupOrder: fromPromise<LookupOrderOutput, LookupOrderInput>(async () => ({ status: 'found', facts })),
    questions: fromPromise<Question[], QuestionsInput>(async ({ input }) => (Object.keys(input.facts.answers).length ? [] : [question])),
    decide: fromPromise(async () => decision),
    register: fromPromise<RegisterOutput, RegisterInput>(async () => ({ status: 'registered', number: 'R-000001' })),
    registerCustomer: fromPromise<RegisterCustomerOutput, RegisterCustomerInput>(async () => ({ status: 'registered' })),
    sendStores: fromPromise<SendStoresOutput, SendStoresInput>(async () => ({ status: 'sent', count: 1 })),
  },
});

function oneCall(): Promise<string> {
  return new Promise((resolve, reject) => {
    const ref = createActor(shared, { input: { callId: 'c', callerNumber: '09121234567' } });
    calls_.set(ref.system, { groups: [...SCRIPT], ref });
    ref.subscribe({ complete: () => resolve(JSON.stringify(ref.getSnapshot().output)), error: reject });
    ref.start();
  });
}

const perCall: number[] = [];
for (let r = 0; r < rounds; r++) {
  const cpu0 = process.cpuUsage();
  const outs = await Promise.all(Array.from({ length: calls }, oneCall));
  const cpu = process.cpuUsage(cpu0);
  const bad = outs.filter((o) => o !== '{"kind":"hangup","reason":"completed"}');
  if (bad.length) throw new Error(`unexpected outputs: ${bad[0]}`);
  perCall.push((cpu.user + cpu.system) / 1000 / calls);
  console.log(`round ${r + 1}: ${calls} calls, ${perCall.at(-1)!.toFixed(3)} ms CPU per call`);
}
// the first rounds run code V8 has not optimised yet
const warm = perCall.slice(Math.min(2, rounds - 1)).sort((a, b) => a - b);
console.log(`median of rounds ${rounds - warm.length + 1}-${rounds}: ${warm[Math.floor(warm.length / 2)]!.toFixed(3)} ms CPU per call`);
