/**
 * The call flow alone (src/flow, xstate, as src/app/call-session.ts runs it), without ARI or stores: N refund calls
 * ("3 4 0499370899# 1403001234# 1") at once through the service's call machine with instant fake
 * actors, keys sent one at a time like a caller's DTMF (each group when IVR_NODE is set, while its
 * prompt plays: barge-in). Prints the process's CPU per call
 * (main thread and V8's threads) per round and the median of the rounds after the first two.
 *
 *   npx tsx scripts/flow-bench.ts [calls=1000] [rounds=8]
 *   node --cpu-prof --cpu-prof-dir=/tmp/fp --import tsx scripts/flow-bench.ts
 */
import { createCallMachine } from '../src/flow/call-machine.ts';
import { createCallActor } from '../src/app/call-session.ts';
import { Keypad, readDigits } from '../src/flow/read-digits.ts';
import type { Decision, Facts, Question } from '../src/domain/decision.ts';
import type { LookupOrderOutput, Playback, QuestionsInput, RegisterCustomerOutput, RegisterOutput, SendStoresOutput } from '../src/flow/ports.ts';

const calls = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 8);
const SCRIPT = '3 4 0499370899# 1403001234# 1'.split(' ');
const facts: Facts = { customer: null, order: null, stock: null, bouncedCheques: [], earlierRequests: [], answers: {} };
const question: Question = { name: 'refund-kind', prompt: 'question-refund-kind', options: { '1': 'credit', '2': 'cash' } } as Question;
const decision = { rule: 'A6', outcome: 'refund-registered', say: [{ kind: 'prompt', name: 'a6' }], request: { type: 'refund-request', unit: 'follow-up' }, transfer: null, reason: 'bench' } as unknown as Decision;

const machine = createCallMachine({}).provide({ delays: { repeatWindow: 1 } });

/** wall time spent sending the keys (the keys' macrosteps, or the reader's calls) */
let keyNs = 0n;

/** one call: its actor steps, as the service's (src/app/actors.ts callActors), instant, keying like a caller */
function oneCall(): Promise<string> {
  return new Promise((resolve, reject) => {
    const groups = [...SCRIPT];
    // an entry's keys after its first go to the reader (src/flow/read-digits.ts), as in the service
    const keypad = new Keypad();
    const keyGroup = (g: string) => {
      let i = 0;
      const next = () => {
        if (i >= g.length || actor.getSnapshot().status !== 'active') return;
        const t0 = process.hrtime.bigint();
        const digit = g[i++]!;
        if (!keypad.press(digit)) actor.send({ type: 'DTMF', digit });
        keyNs += process.hrtime.bigint() - t0;
        setImmediate(next);
      };
      setImmediate(next);
    };
    const steps = {
      // the flow's `play` command: a playback that ends on the next turn unless stopped
      play: (): Playback => {
        let t: NodeJS.Immediate;
        let r: (s: 'done' | 'stopped') => void;
        const finished = new Promise<'done' | 'stopped'>((res) => ((r = res), (t = setImmediate(() => res('done')))));
        return { finished, stop: () => { clearImmediate(t); r('stopped'); } };
      },
      readDigits: readDigits(keypad),
      setVars: async ({ input }: { input: { vars: Record<string, string> } }) => {
        if (input.vars.IVR_NODE !== undefined && input.vars.IVR_NODE !== 'hear-again' && groups.length) keyGroup(groups.shift()!);
      },
      transfer: async () => {},
      hangup: async () => {},
      lookupOrder: async (): Promise<LookupOrderOutput> => ({ status: 'found', facts }),
      questions: async ({ input }: { input: QuestionsInput }) => (Object.keys(input.facts.answers).length ? [] : [question]),
      decide: async () => decision,
      register: async (): Promise<RegisterOutput> => ({ status: 'registered', number: 'R-000001' }),
      registerCustomer: async (): Promise<RegisterCustomerOutput> => ({ status: 'registered' }),
      sendStores: async (): Promise<SendStoresOutput> => ({ status: 'sent', count: 1 }),
    };
    const { actor } = createCallActor(machine, steps, { callId: 'c', callerNumber: '09121234567' });
    actor.subscribe({ complete: () => resolve(JSON.stringify(actor.getSnapshot().output)), error: reject });
    actor.start();
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
  console.log(`round ${r + 1}: ${calls} calls, ${perCall.at(-1)!.toFixed(3)} ms CPU per call (${(Number(keyNs) / 1e6 / calls).toFixed(3)} ms in its keys' sends)`);
  keyNs = 0n;
}
// the first rounds run code V8 has not optimised yet
const warm = perCall.slice(Math.min(2, rounds - 1)).sort((a, b) => a - b);
console.log(`median of rounds ${rounds - warm.length + 1}-${rounds}: ${warm[Math.floor(warm.length / 2)]!.toFixed(3)} ms CPU per call`);
