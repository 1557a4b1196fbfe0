/**
 * The adapter's own table of REST operations (no Swagger fetch at connect) against Asterisk's
 * documents: every operation, method, path and parameter as Asterisk 22 describes them in its
 * rest-api/*.json, and, for the operations the built-in switch implements, the same as the switch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allOperations } from '../../src/ari/operations.ts';
import { API, parseParams } from '../../src/switch/api-table.ts';

import { findAsterisk } from '../../src/asterisk/local.ts';

// Asterisk's own API documents, where an Asterisk is installed (ASTERISK_HOME, .asterisk/ as CI unpacks it)
const found = findAsterisk();
const REST_API = 'data' in found ? `${found.data}/rest-api` : '(no Asterisk here: ' + found.missing + ')';

interface SwaggerDoc {
  apis: { path: string; operations: { httpMethod: string; nickname: string; parameters?: { name: string; paramType: string }[] }[] }[];
}

/** resource.operation → "METHOD /path query… @body…" in the table's notation */
function describeSwagger(resource: string, doc: SwaggerDoc): Map<string, string> {
  const out = new Map<string, string>();
  for (const api of doc.apis) {
    for (const op of api.operations) {
      const params = (op.parameters ?? []).filter((p) => p.paramType !== 'path');
      const text = [op.httpMethod, api.path, ...params.filter((p) => p.paramType === 'query').map((p) => p.name), ...params.filter((p) => p.paramType === 'body').map((p) => '@' + p.name)].join(' ');
      out.set(`${resource}.${op.nickname}`, text);
    }
  }
  return out;
}

function describeSpec(s: ReturnType<typeof allOperations>[number]): string {
  return [s.method, s.segments.map((seg, i) => (i % 2 ? `{${seg}}` : seg)).join(''), ...s.query, ...[...s.body].map((b) => '@' + b)].join(' ');
}

describe('ARI operation table', () => {
  it.skipIf(!existsSync(REST_API))(`matches Asterisk 22's own API documents (${REST_API})`, () => {
    const docs = new Map<string, string>();
    for (const resource of new Set(allOperations().map((s) => s.name.split('.')[0]!))) {
      const doc = JSON.parse(readFileSync(`${REST_API}/${resource}.json`, 'utf8')) as SwaggerDoc;
      for (const [k, v] of describeSwagger(resource, doc)) docs.set(k, v);
    }
    for (const spec of allOperations()) {
      const want = docs.get(spec.name);
      expect(want, `${spec.name} is not an operation of Asterisk 22`).toBeDefined();
      // the table may leave out parameters the IVR never sends; what it lists must be Asterisk's, in Asterisk's kind
      const [method, path, ...params] = want!.split(' ');
      const [gotMethod, gotPath, ...gotParams] = describeSpec(spec).split(' ');
      expect(`${gotMethod} ${gotPath}`, spec.name).toBe(`${method} ${path}`);
      for (const p of gotParams) expect(params, `${spec.name}: parameter ${p}`).toContain(p);
    }
  });

  it('agrees with the built-in switch on every operation both know', () => {
    const mine = new Map(allOperations().map((s) => [s.name, s]));
    let shared = 0;
    for (const res of API) {
      for (const api of res.apis) {
        for (const op of api.operations) {
          const spec = mine.get(`${res.name}.${op.nickname}`);
          if (!spec) continue;
          shared++;
          expect(describeSpec(spec).split(' ').slice(0, 2).join(' '), spec.name).toBe(`${op.method} ${api.path}`);
          for (const p of parseParams(api.path, op.params)) {
            if (p.paramType === 'path') expect(spec.pathParams, `${spec.name} ${p.name}`).toContain(p.name);
            else if (p.paramType === 'body') expect([...spec.body], `${spec.name} ${p.name}`).toContain(p.name);
            else expect([...spec.query], `${spec.name} ${p.name}`).toContain(p.name);
          }
        }
      }
    }
    // the operations the IVR and the test caller use are all served by the switch
    for (const name of ['channels.answer', 'channels.playWithId', 'channels.setChannelVar', 'channels.continueInDialplan', 'channels.hangup', 'channels.originate', 'channels.sendDTMF', 'playbacks.stop', 'applications.get']) {
      expect(mine.has(name), name).toBe(true);
    }
    expect(shared).toBeGreaterThan(15);
  });
});
