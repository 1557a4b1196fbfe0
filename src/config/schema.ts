/**
 * The whole configuration: one zod schema composed of each part's own schema. Sections of the
 * config file: service, routing, flow, policy, data, console (see README "Configuration").
 */
import { z } from 'zod';
import { ConsoleConfig } from '../console/config.ts';
import { FlowConfig } from '../flow/config.ts';
import { PolicyConfig } from '../policy/config.ts';
import type { DataSettings } from '../store/config.ts';
import { RoutingConfig } from './routing.ts';
import { ServiceConfig } from './service.ts';

export const AppConfig = z.object({
  service: ServiceConfig.prefault({}),
  routing: RoutingConfig,
  flow: FlowConfig.prefault({}),
  policy: PolicyConfig.prefault({}),
  /** the web console at /console (accounts, session length, audit file) */
  console: ConsoleConfig.prefault({}),
  /** validated by readDataSettings (src/store/config.ts), which also reads its environment variables */
  data: z.record(z.string(), z.unknown()).default({}),
});
export type AppConfig = Omit<z.infer<typeof AppConfig>, 'data'> & { data: DataSettings };
