/**
 * The configured menu tree (FlowConfig.menus) as states: one one-key menu per entry, with IVR_NODE
 * = the menu's name. An item leads to another menu, a topic (→ identification), a before-purchase
 * service, or an agent. `*` repeats; a wrong key or no key is explained and the menu asked again;
 * after FlowConfig.tries.menu failed tries → `general` (too-many-tries + transfer-to-agent).
 */
import type { FlowConfig, MenuItem } from './config.ts';
import { menuState, type DtmfTransition } from './listen.ts';
import { flowSetup, prompt } from './setup.ts';

function itemTransition(cfg: FlowConfig, key: string, item: MenuItem): DtmfTransition {
  const guard = { type: 'isKey' as const, params: { key } };
  if ('menu' in item) return { guard, target: `#${item.menu}`, reenter: true };
  if ('topic' in item) {
    return {
      guard,
      target: '#identify',
      actions: { type: 'chooseTopic', params: { topic: item.topic, skill: cfg.owningSkills[item.topic] } },
    };
  }
  if ('service' in item) {
    return {
      guard,
      target: `#svc-${item.service}`,
      actions: { type: 'chooseTopic', params: { topic: item.service, skill: cfg.owningSkills[item.service] } },
    };
  }
  return { guard, target: '#handoff', actions: { type: 'toAgent', params: { skill: item.agent, say: [] } } };
}

export function menuStates(cfg: FlowConfig) {
  const states: Record<string, ReturnType<typeof menuState>> = {};
  for (const [name, menu] of Object.entries(cfg.menus)) {
    states[name] = flowSetup.createStateConfig({
      id: name,
      ...menuState({
        node: () => name,
        items: () => [prompt(menu.prompt)],
        keys: Object.entries(menu.keys).map(([key, item]) => itemTransition(cfg, key, item)),
        maxTries: cfg.tries.menu,
        onExhausted: { target: '#handoff', actions: { type: 'toAgent', params: { skill: 'general', say: [cfg.prompts.tooManyTries] } } },
        invalidKeyPrompt: cfg.prompts.invalidKey,
        noInputPrompt: cfg.prompts.noInput,
      }),
    });
  }
  return states;
}
