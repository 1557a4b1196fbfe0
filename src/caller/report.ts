/** What the test caller reports (`ivr-1699 call --json`), built only from what ARI showed it. */
export interface CallReport {
  prompts: string[];
  decisions: { rule: string; outcome: string }[];
  requests: { type: string; unit: string; number: string }[];
  variables: Record<string, string>;
  /** every IVR_NODE the IVR listened at, in order */
  nodes: string[];
  outcome: { kind: 'transfer'; skill: string } | { kind: 'hangup'; reason: string };
  durationMs: number;
}
