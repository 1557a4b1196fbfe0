/**
 * The routing table: which Asterisk queue (and agents-context extension) serves each skill group.
 * The IVR hands a caller over with `continue` into `<agentsContext>,<extension>,1`; the dialplan
 * there runs Queue(<queue>). `ivr-1699 check` matches this table against dialplan/.
 */
import { z } from 'zod';
import { SKILLS, type Skill } from '../domain/skills.ts';

export const RouteEntry = z.object({
  /** extension in the agents context that the IVR continues to */
  extension: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'extension: lowercase letters, digits and dashes'),
  /** the Asterisk queue (queues.conf section) that extension runs */
  queue: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'queue: lowercase letters, digits and dashes'),
});
export type RouteEntry = z.infer<typeof RouteEntry>;

/**
 * Queue names equal the skill names, except `general`: app_queue reads `[general]` of queues.conf
 * as its global settings and never makes it a queue, so that skill's queue is `general-queue`.
 */
export const defaultRouting: Record<Skill, RouteEntry> = Object.fromEntries(
  SKILLS.map((s) => [s, { extension: s, queue: s === 'general' ? 'general-queue' : s }]),
) as Record<Skill, RouteEntry>;

export const RoutingConfig = z
  .object({
    agentsContext: z.string().min(1).default('agents'),
    skills: z
      .record(z.string(), RouteEntry)
      .default(defaultRouting)
      .superRefine((table, ctx) => {
        for (const s of SKILLS) {
          if (!table[s]) ctx.addIssue({ code: 'custom', message: `routing.skills: skill '${s}' has no route; add '${s}: { extension: ${s}, queue: ${s} }'` });
        }
        for (const k of Object.keys(table)) {
          if (!(SKILLS as readonly string[]).includes(k)) ctx.addIssue({ code: 'custom', message: `routing.skills: unknown skill '${k}'; known skills: ${SKILLS.join(', ')}` });
        }
      }),
  })
  .default({ agentsContext: 'agents', skills: defaultRouting });
export type RoutingConfig = z.infer<typeof RoutingConfig>;
