/**
 * The ARI operations the built-in switch implements, as one compact table. It drives both
 * the Swagger 1.1 documents served at /ari/api-docs (which ari-client reads at connect)
 * and the HTTP router, so what is documented is exactly what is answered.
 *
 * Parameter notation: `name[:type][!][*][@body]` — `!` required, `*` may repeat
 * (comma-separated or repeated), `@body` a JSON body parameter; the type defaults to string.
 * Path parameters come from the `{…}` in the path.
 */
export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT';

export interface OperationDef {
  method: HttpMethod;
  nickname: string;
  summary: string;
  responseClass: string;
  params?: string;
  errors?: [number, string][];
}

export interface ApiDef {
  path: string;
  description: string;
  operations: OperationDef[];
}

export interface ResourceDef {
  name: string;
  description: string;
  apis: ApiDef[];
  /** names of the models (see swagger-models.ts) this resource document carries */
  models: string[];
}

const E404C: [number, string] = [404, 'Channel not found'];
const E409C: [number, string] = [409, 'Channel not in a Stasis application'];
const E412C: [number, string] = [412, 'Channel in invalid state'];
const CTRL = [E404C, E409C, E412C];

export const API: ResourceDef[] = [
  {
    name: 'asterisk',
    description: 'Asterisk resources',
    models: ['AsteriskInfo', 'BuildInfo', 'SystemInfo', 'ConfigInfo', 'SetId', 'StatusInfo', 'AsteriskPing', 'Variable'],
    apis: [
      {
        path: '/asterisk/info',
        description: 'Asterisk system information (similar to core show settings)',
        operations: [{ method: 'GET', nickname: 'getInfo', summary: 'Gets Asterisk system information.', responseClass: 'AsteriskInfo', params: 'only*' }],
      },
      {
        path: '/asterisk/variable',
        description: 'Global variables',
        operations: [{ method: 'GET', nickname: 'getGlobalVar', summary: 'Get the value of a global variable.', responseClass: 'Variable', params: 'variable!', errors: [[400, 'Missing variable parameter.']] }],
      },
      {
        path: '/asterisk/ping',
        description: 'Asterisk ping',
        operations: [{ method: 'GET', nickname: 'ping', summary: 'Response pong message.', responseClass: 'AsteriskPing' }],
      },
    ],
  },
  {
    name: 'channels',
    description: 'Channel resources',
    models: ['Channel', 'CallerID', 'DialplanCEP', 'Variable', 'Playback'],
    apis: [
      {
        path: '/channels',
        description: 'Active channels',
        operations: [
          { method: 'GET', nickname: 'list', summary: 'List all active channels in Asterisk.', responseClass: 'List[Channel]' },
          {
            method: 'POST',
            nickname: 'originate',
            summary: 'Create a new channel (originate).',
            responseClass: 'Channel',
            params: 'endpoint! extension context priority:long label app appArgs callerId timeout:int variables:containers@body channelId otherChannelId originator formats',
            errors: [[400, 'Invalid parameters for originating a channel.'], [409, 'Channel with given unique ID already exists.']],
          },
        ],
      },
      {
        path: '/channels/{channelId}',
        description: 'Active channel',
        operations: [
          { method: 'GET', nickname: 'get', summary: 'Channel details.', responseClass: 'Channel', errors: [E404C] },
          {
            method: 'POST',
            nickname: 'originateWithId',
            summary: 'Create a new channel (originate with id).',
            responseClass: 'Channel',
            params: 'endpoint! extension context priority:long label app appArgs callerId timeout:int variables:containers@body otherChannelId originator formats',
            errors: [[400, 'Invalid parameters for originating a channel.'], [409, 'Channel with given unique ID already exists.']],
          },
          {
            method: 'DELETE',
            nickname: 'hangup',
            summary: 'Delete (i.e. hangup) a channel.',
            responseClass: 'void',
            params: 'reason_code reason',
            errors: [[400, 'Invalid reason for hangup provided'], E404C],
          },
        ],
      },
      {
        path: '/channels/{channelId}/continue',
        description: 'Exit application; continue execution in the dialplan',
        operations: [{ method: 'POST', nickname: 'continueInDialplan', summary: 'Exit application; continue execution in the dialplan.', responseClass: 'void', params: 'context extension priority:int label', errors: CTRL }],
      },
      {
        path: '/channels/{channelId}/answer',
        description: 'Answer a channel',
        operations: [{ method: 'POST', nickname: 'answer', summary: 'Answer a channel.', responseClass: 'void', errors: CTRL }],
      },
      {
        path: '/channels/{channelId}/ring',
        description: 'Send a ringing indication to a channel',
        operations: [
          { method: 'POST', nickname: 'ring', summary: 'Indicate ringing to a channel.', responseClass: 'void', errors: CTRL },
          { method: 'DELETE', nickname: 'ringStop', summary: 'Stop ringing indication on a channel if locally generated.', responseClass: 'void', errors: CTRL },
        ],
      },
      {
        path: '/channels/{channelId}/dtmf',
        description: 'Send DTMF to a channel',
        operations: [
          {
            method: 'POST',
            nickname: 'sendDTMF',
            summary: 'Send provided DTMF to a given channel.',
            responseClass: 'void',
            params: 'dtmf before:int between:int duration:int after:int',
            errors: [[400, 'DTMF is required'], ...CTRL],
          },
        ],
      },
      {
        path: '/channels/{channelId}/moh',
        description: 'Play music on hold to a channel',
        operations: [
          { method: 'POST', nickname: 'startMoh', summary: 'Play music on hold to a channel.', responseClass: 'void', params: 'mohClass', errors: CTRL },
          { method: 'DELETE', nickname: 'stopMoh', summary: 'Stop playing music on hold to a channel.', responseClass: 'void', errors: CTRL },
        ],
      },
      {
        path: '/channels/{channelId}/play',
        description: 'Play media to a channel',
        operations: [
          { method: 'POST', nickname: 'play', summary: 'Start playback of media.', responseClass: 'Playback', params: 'media!* lang offsetms:int skipms:int playbackId', errors: CTRL },
        ],
      },
      {
        path: '/channels/{channelId}/play/{playbackId}',
        description: 'Play media to a channel',
        operations: [
          { method: 'POST', nickname: 'playWithId', summary: 'Start playback of media and specify the playbackId.', responseClass: 'Playback', params: 'media!* lang offsetms:int skipms:int', errors: CTRL },
        ],
      },
      {
        path: '/channels/{channelId}/variable',
        description: 'Variables on a channel',
        operations: [
          {
            method: 'GET',
            nickname: 'getChannelVar',
            summary: 'Get the value of a channel variable or function.',
            responseClass: 'Variable',
            params: 'variable!',
            errors: [[400, 'Missing variable parameter.'], [404, 'Channel or variable not found'], E409C],
          },
          {
            method: 'POST',
            nickname: 'setChannelVar',
            summary: 'Set the value of a channel variable or function.',
            responseClass: 'void',
            params: 'variable! value',
            errors: [[400, 'Missing variable parameter.'], E404C, E409C],
          },
        ],
      },
    ],
  },
  {
    name: 'bridges',
    description: 'Bridge resources',
    models: ['Bridge'],
    apis: [
      {
        path: '/bridges',
        description: 'Active bridges',
        operations: [
          { method: 'GET', nickname: 'list', summary: 'List all active bridges in Asterisk.', responseClass: 'List[Bridge]' },
          { method: 'POST', nickname: 'create', summary: 'Create a new bridge.', responseClass: 'Bridge', params: 'type bridgeId name' },
        ],
      },
      {
        path: '/bridges/{bridgeId}',
        description: 'Individual bridge',
        operations: [
          { method: 'POST', nickname: 'createWithId', summary: 'Create a new bridge or update an existing one.', responseClass: 'Bridge', params: 'type name' },
          { method: 'GET', nickname: 'get', summary: 'Get bridge details.', responseClass: 'Bridge', errors: [[404, 'Bridge not found']] },
          { method: 'DELETE', nickname: 'destroy', summary: 'Shut down a bridge.', responseClass: 'void', errors: [[404, 'Bridge not found']] },
        ],
      },
      {
        path: '/bridges/{bridgeId}/addChannel',
        description: 'Add a channel to a bridge',
        operations: [
          {
            method: 'POST',
            nickname: 'addChannel',
            summary: 'Add a channel to a bridge.',
            responseClass: 'void',
            params: 'channel!* role absorbDTMF:boolean mute:boolean inhibitConnectedLineUpdates:boolean',
            errors: [[400, 'Channel not found'], [404, 'Bridge not found'], [409, 'Bridge not in Stasis application; Channel currently recording'], [422, 'Channel not in Stasis application']],
          },
        ],
      },
      {
        path: '/bridges/{bridgeId}/removeChannel',
        description: 'Remove a channel from a bridge',
        operations: [
          {
            method: 'POST',
            nickname: 'removeChannel',
            summary: 'Remove a channel from a bridge.',
            responseClass: 'void',
            params: 'channel!*',
            errors: [[400, 'Channel not found'], [404, 'Bridge not found'], [409, 'Bridge not in Stasis application'], [422, 'Channel not in this bridge']],
          },
        ],
      },
    ],
  },
  {
    name: 'playbacks',
    description: 'Playback control resources',
    models: ['Playback'],
    apis: [
      {
        path: '/playbacks/{playbackId}',
        description: 'Control object for a playback operation.',
        operations: [
          { method: 'GET', nickname: 'get', summary: "Get a playback's details.", responseClass: 'Playback', errors: [[404, 'The playback cannot be found']] },
          { method: 'DELETE', nickname: 'stop', summary: 'Stop a playback.', responseClass: 'void', errors: [[404, 'The playback cannot be found']] },
        ],
      },
    ],
  },
  {
    name: 'applications',
    description: 'Stasis application resources',
    models: ['Application'],
    apis: [
      {
        path: '/applications',
        description: 'Stasis applications',
        operations: [{ method: 'GET', nickname: 'list', summary: 'List all applications.', responseClass: 'List[Application]' }],
      },
      {
        path: '/applications/{applicationName}',
        description: 'Stasis application',
        operations: [{ method: 'GET', nickname: 'get', summary: 'Get details of an application.', responseClass: 'Application', errors: [[404, 'Application does not exist.']] }],
      },
      {
        path: '/applications/{applicationName}/eventFilter',
        description: 'Stasis application',
        operations: [
          {
            method: 'PUT',
            nickname: 'filter',
            summary: 'Filter application events types.',
            responseClass: 'Application',
            params: 'filter:object@body',
            errors: [
              [400, 'Bad request.'],
              [404, 'Application does not exist.'],
            ],
          },
        ],
      },
    ],
  },
  {
    name: 'events',
    description: 'WebSocket resource',
    models: [], // filled with every event model by swagger-docs.ts
    apis: [
      {
        path: '/events',
        description: 'Events from Asterisk to applications',
        operations: [
          { method: 'GET', nickname: 'eventWebsocket', summary: 'WebSocket connection for events.', responseClass: 'Message', params: 'app!* subscribeAll:boolean' },
        ],
      },
    ],
  },
];

export interface ParamDef {
  name: string;
  paramType: 'path' | 'query' | 'body';
  dataType: string;
  required: boolean;
  allowMultiple: boolean;
}

export function parseParams(path: string, spec = ''): ParamDef[] {
  const pathParams: ParamDef[] = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1] ?? '',
    paramType: 'path',
    dataType: 'string',
    required: true,
    allowMultiple: false,
  }));
  const rest = spec
    .split(/\s+/)
    .filter(Boolean)
    .map((tok): ParamDef => {
      const body = tok.endsWith('@body');
      const t = body ? tok.slice(0, -5) : tok;
      const m = /^(\w+)(?::([\w[\]]+))?(!?)(\*?)$/.exec(t);
      if (!m) throw new Error(`api-table: bad parameter notation '${tok}'`);
      return {
        name: m[1] ?? '',
        paramType: body ? 'body' : 'query',
        dataType: m[2] ?? 'string',
        required: m[3] === '!',
        allowMultiple: m[4] === '*',
      };
    });
  return [...pathParams, ...rest];
}
