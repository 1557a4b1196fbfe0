/** Public API of the call flow (pure: no I/O; effects are injected actors, see ./ports.ts). */
export { createCallMachine, type CallMachine } from './call-machine.ts';
export {
  FlowConfig,
  defaultFlowConfig,
  flowPromptNames,
  flowNodeNames,
  SERVICES,
  type Service,
  type MenuItem,
  type MenuSpec,
  type EntrySpec,
  type ReadBack,
} from './config.ts';
export { createDigitEntryMachine, digitEntryResult, type DigitEntryResult } from './digit-entry.ts';
export { flowToMermaid } from './diagram.ts';
export { MissingActorError, type FlowContext, type FlowOutput, type FlowActorName } from './setup.ts';
export { runPlays } from './playback.ts';
export * from './validate.ts';
export type * from './ports.ts';
