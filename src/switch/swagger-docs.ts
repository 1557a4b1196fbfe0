/**
 * Generates the Swagger 1.1 documents (`/ari/api-docs/resources.json` and
 * `/ari/api-docs/{resource}.json`) from the operation table.
 */
import { API, parseParams, type ResourceDef } from './api-table.ts';
import { eventModels, resourceModel, type ModelDoc } from './swagger-models.ts';
import { ASTERISK_VERSION } from './core.ts';

const API_VERSION = '10.0.0';

export function resourceListing(basePath: string): Record<string, unknown> {
  return {
    _copyright: 'ivr-1699 built-in switch (an ARI-compatible imitation of Asterisk)',
    apiVersion: API_VERSION,
    swaggerVersion: '1.1',
    basePath,
    apis: API.map((r) => ({ path: `/api-docs/${r.name}.{format}`, description: r.description })),
  };
}

function models(r: ResourceDef): Record<string, ModelDoc> {
  if (r.name === 'events') return eventModels();
  return Object.fromEntries(r.models.map((m) => [m, resourceModel(m)]));
}

export function resourceDoc(name: string, basePath: string): Record<string, unknown> | undefined {
  const r = API.find((x) => x.name === name);
  if (!r) return undefined;
  return {
    apiVersion: API_VERSION,
    swaggerVersion: '1.1',
    basePath,
    resourcePath: `/api-docs/${r.name}.{format}`,
    since: [ASTERISK_VERSION],
    apis: r.apis.map((a) => ({
      path: a.path,
      description: a.description,
      operations: a.operations.map((o) => ({
        httpMethod: o.method,
        summary: o.summary,
        nickname: o.nickname,
        responseClass: o.responseClass,
        parameters: parseParams(a.path, o.params).map((p) => ({
          name: p.name,
          description: p.name,
          paramType: p.paramType,
          required: p.required,
          allowMultiple: p.allowMultiple,
          dataType: p.dataType,
        })),
        ...(o.errors ? { errorResponses: o.errors.map(([code, reason]) => ({ code, reason })) } : {}),
      })),
    })),
    models: models(r),
  };
}
