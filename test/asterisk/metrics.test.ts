/**
 * /metrics over a real Asterisk: answer latency is StasisStart → the first playback Asterisk
 * accepted, one per call; calls, node entries and outcomes add up to what the callers saw.
 * ivr_playback_failures_total counts prompts Asterisk could not play: a caller who hangs up in the
 * middle of a prompt (Asterisk reports that playback as 'failed' too) is not one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallReport } from '../../src/caller/report.ts';
import { asteriskMissing, startAsteriskHarness, tierTitle, type AsteriskHarness } from './harness.ts';

const metric = (text: string, sample: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
};

describe.skipIf(asteriskMissing)(tierTitle('real Asterisk: /metrics'), () => {
  let h: AsteriskHarness;
  let reports: CallReport[];
  let text: string;
  beforeAll(async () => {
    h = await startAsteriskHarness({ stack: { httpPort: 0 } });
    // prompts play in real time: the calls run side by side
    // the last caller hangs up while the main menu plays: a prompt cut short, not a failed one
    reports = await Promise.all([h.call('0'), h.call('0'), h.call('h'), h.call('', { hangupAtPrompt: 'main-menu' })]);
    for (let i = 0; i < 100 && h.stack.service.activeCalls() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    text = await (await fetch(`http://127.0.0.1:${h.stack.service.health!.port}/metrics`)).text();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('counts each call, its answer latency and its end', () => {
    expect(reports.map((r) => r.outcome.kind)).toEqual(['transfer', 'transfer', 'hangup', 'hangup']);
    expect(reports[3]!.prompts).toContain('main-menu');
    expect(metric(text, 'ivr_calls_total')).toBe(4);
    expect(metric(text, 'ivr_call_duration_seconds_count')).toBe(4);
    expect(metric(text, 'ivr_answer_latency_seconds_count')).toBe(4);
    // Asterisk answers a playback request at once: well under a second on loopback
    expect(metric(text, 'ivr_answer_latency_seconds_bucket{le="1"}')).toBe(4);
    console.log(`real Asterisk: answer latency mean ${((metric(text, 'ivr_answer_latency_seconds_sum')! / 4) * 1000).toFixed(1)} ms over 4 calls (StasisStart → first playback accepted)`);
    expect(metric(text, 'ivr_call_outcomes_total{kind="transfer",skill="general"}')).toBe(2);
    const mainMenu = reports.reduce((a, r) => a + r.nodes.filter((n) => n === 'main-menu').length, 0);
    expect(metric(text, 'ivr_node_entries_total{node="main-menu"}')).toBe(mainMenu);
    expect(metric(text, 'ivr_node_exits_total{node="main-menu",cause="transfer"}')).toBe(2);
    // every prompt exists; the hang-ups during prompts (calls 3 and 4) are callers leaving
    expect(metric(text, 'ivr_playback_failures_total')).toBe(0);
  });
});
