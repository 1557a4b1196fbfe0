/**
 * `ivr-1699 decide --topic T --national-id N --order N [--data FILE] [--now ISO] [--answer name=value …]
 *                  [--policy FILE] [--json]`
 * Runs the policy engine on one case — with the service's configuration and data (or a data file) — and prints the decision: with --json one JSON
 * object { rule, outcome, say, request, transfer, reason }, without it a readable text.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DataFile } from '../../domain/data-file.ts';
import { factsFromData } from '../../domain/facts-from-data.ts';
import type { Decision } from '../../domain/decision.ts';
import { TOPICS, type Topic } from '../../domain/skills.ts';
import { decide, parsePolicyConfig, questionsFor, type PolicyConfig } from '../../policy/index.ts';
import { loadWorkingCalendar } from '../../policy/load.ts';
import { factsOf } from '../../app/actors.ts';
import { loadConfig } from '../../config/load.ts';
import type { Facts } from '../../domain/decision.ts';
import { createQuantumClient } from '../../quantum/http.ts';
import { openConfiguredStore } from '../../store/index.ts';
import { EmbeddedOrderData } from '../../store/order-data.ts';
import { SqliteRequestRegistry } from '../../store/requests.ts';
import { parseOptions, UsageError } from '../usage-error.ts';

export const summary = 'run the policy rules on one case of a data file and print the decision';

const USAGE = `usage: ivr-1699 decide --topic T --national-id N --order N [options]

  --topic T            one of: ${TOPICS.join(', ')}
  --national-id N      the customer's national ID (10 digits)
  --order N            the order / pro-forma number
  --data FILE          data file (JSON, the data-file contract); default: what the service reads
                       (Quantum when QUANTUM_URL is set, else the store IVR_DB, with its earlier requests)
  --now ISO            the current time for the rules (default: now), e.g. 2025-07-21T10:00:00+03:30
  --answer name=value  the caller's answer to a question this case asks (repeatable), e.g.
                       --answer refund-wallet=cash; an unknown name or value is refused
  --policy FILE        thresholds over the configured ones (YAML or JSON, keys of the policy: section)

The thresholds are the service's: the policy: section of IVR_CONFIG / config/ivr-1699.yaml.
  --json               print one JSON object { rule, outcome, say, request, transfer, reason }
`;

function readJsonOrYaml(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give an existing file`);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${what} ${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * The answers given with --answer, checked against the questions this case asks (in the order the
 * IVR asks them): a name the case does not ask or a value that is not one of the options is refused.
 */
function takeAnswers(topic: Topic, facts: Facts, cfg: PolicyConfig, given: Map<string, string>): Record<string, string> {
  const answers: Record<string, string> = {};
  const left = new Map(given);
  for (;;) {
    const next = questionsFor(topic, { ...facts, answers }, cfg).find((q) => left.has(q.name));
    if (!next) break;
    const v = left.get(next.name)!;
    const values = Object.values(next.options);
    if (!values.includes(v)) {
      const key = next.options[v];
      throw new UsageError(`--answer ${next.name}=${v}: not an answer to ${next.name}; one of ${values.join(', ')}${key ? ` (key ${v} is ${key}: give --answer ${next.name}=${key})` : ''}`);
    }
    answers[next.name] = v;
    left.delete(next.name);
  }
  if (left.size) {
    const asked = questionsFor(topic, { ...facts, answers }, cfg).map((q) => q.name);
    const name = [...left.keys()][0]!;
    throw new UsageError(`--answer ${name}: this case of ${topic} does not ask '${name}'${asked.length ? ` (it asks: ${asked.join(', ')})` : Object.keys(answers).length ? ` (it asked: ${Object.keys(answers).join(', ')})` : ' (it asks nothing)'}`);
  }
  return answers;
}

export function loadDataFile(path: string): DataFile {
  const doc = readJsonOrYaml(path, 'data file');
  const r = DataFile.safeParse(doc, { reportInput: true });
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const got = 'input' in i && i.input !== undefined ? ` (got ${JSON.stringify(i.input)?.slice(0, 60)})` : '';
    return `  - ${i.path.map(String).join('.') || '(top level)'}: ${i.message}${got}`;
  });
  throw new Error(`data file ${path} is not valid:\n${lines.join('\n')}`);
}

function textOf(d: Decision, questionsLeft: string[]): string {
  const say = d.say
    .map((s) => (s.kind === 'prompt' ? s.name : `<${s.kind} ${s.value}>`))
    .join(' ');
  const lines = [
    `rule:     ${d.rule}`,
    `outcome:  ${d.outcome}`,
    `say:      ${say}`,
    `request:  ${d.request ? `${d.request.type} → ${d.request.unit}` : '-'}`,
    `transfer: ${d.transfer ?? '-'}`,
    `reason:   ${d.reason}`,
  ];
  if (questionsLeft.length) lines.push(`unanswered questions: ${questionsLeft.join(', ')} (give them with --answer name=value)`);
  return lines.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions({
    args: argv,
    options: {
      topic: { type: 'string' },
      'national-id': { type: 'string' },
      order: { type: 'string' },
      data: { type: 'string' },
      now: { type: 'string' },
      answer: { type: 'string', multiple: true },
      policy: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }, `\n${USAGE}`);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const topic = values.topic;
  if (!topic) throw new UsageError(`--topic is required; one of: ${TOPICS.join(', ')}`);
  if (!(TOPICS as readonly string[]).includes(topic)) throw new UsageError(`--topic '${topic}' is not a topic; use one of: ${TOPICS.join(', ')}`);
  const nationalId = values['national-id'];
  if (!nationalId) throw new UsageError('--national-id is required (10 digits, e.g. 0499370899)');
  if (!/^\d{10}$/.test(nationalId)) throw new UsageError(`--national-id must be exactly 10 digits (keep leading zeros); got ${nationalId.length} character(s)`);
  const orderNumber = values.order;
  if (!orderNumber) throw new UsageError('--order is required (the order / pro-forma number)');
  let now = new Date();
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now '${values.now}' is not an ISO-8601 time; e.g. 2025-07-21T10:00:00+03:30`);
  }
  const given = new Map<string, string>();
  for (const a of values.answer ?? []) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(a.trim());
    if (!m) throw new UsageError(`--answer '${a}' must be name=value, e.g. --answer refund-wallet=cash`);
    given.set(m[1]!, m[2]!);
  }

  // the same configuration as the service: IVR_CONFIG / config/ivr-1699.yaml and the environment
  const appCfg = loadConfig();
  const cfg = values.policy ? parsePolicyConfig({ ...appCfg.policy, ...(readJsonOrYaml(resolve(values.policy), 'policy file') as object) }, values.policy) : appCfg.policy;
  const calendar = loadWorkingCalendar(cfg);
  let facts: Facts;
  if (values.data) {
    facts = factsFromData(loadDataFile(resolve(values.data)), nationalId, orderNumber);
  } else {
    // the same data as the service: Quantum when configured, else the store (IVR_DB)
    const store = openConfiguredStore(appCfg.data.store);
    try {
      const embedded = new EmbeddedOrderData(store);
      const orderData = createQuantumClient(appCfg.data.quantum, { installationId: store.installationId, bouncedCheques: (nid) => embedded.bouncedCheques(nid) }) ?? embedded;
      const registry = new SqliteRequestRegistry(store, { prefix: appCfg.data.store.requestPrefix });
      const order = await orderData.findOrder(nationalId, orderNumber);
      facts = order
        ? await factsOf({ orderData, registry }, nationalId, order, orderNumber)
        : { customer: await orderData.findCustomer(nationalId), order: null, stock: null, bouncedCheques: [], earlierRequests: [], answers: {} };
    } finally {
      store.close();
    }
  }
  facts.answers = takeAnswers(topic as Topic, facts, cfg, given);

  const d = decide(topic as Topic, facts, now, cfg, calendar);
  if (values.json) {
    const out = { rule: d.rule, outcome: d.outcome, say: d.say, request: d.request, transfer: d.transfer, reason: d.reason };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    process.stdout.write(textOf(d, questionsFor(topic as Topic, facts, cfg).map((q) => `${q.name} (${Object.entries(q.options).map(([k, v]) => `${k}=${v}`).join(', ')})`)));
  }
  return 0;
}
