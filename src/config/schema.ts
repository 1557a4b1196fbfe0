/**
 * The whole configuration: one zod schema composed of each part's own schema.
 */
import { z } from 'zod';
import { RoutingConfig } from './routing.ts';
import { ServiceConfig } from './service.ts';

export const AppConfig = z.object({
  service: ServiceConfig.prefault({}),
  routing: RoutingConfig,
});
export type AppConfig = z.infer<typeof AppConfig>;
