/**
 * The ARI REST operations the adapter can call, as Asterisk 22 documents them in its Swagger
 * files (rest-api/*.json): method, path and parameters, written out here so that connecting needs
 * no API description from Asterisk (ari-client fetched every Swagger document at each connect,
 * which timed out when many clients started at once). test/ari/operations.test.ts checks every
 * entry against Asterisk's own documents and against the built-in switch's table.
 *
 * Notation: `METHOD /path/{pathParam} query1 query2 ... @bodyParam`. Path parameters come from
 * the `{…}`; a repeated (allowMultiple) query parameter takes an array or a comma-separated string.
 * `@@param`: a body parameter that Asterisk takes as the whole JSON body (eventFilter's `filter` is
 * `{"allowed": [...]}` itself, not `{"filter": {...}}`, which Asterisk ignores without an error).
 */
const TABLE = {
  asterisk: {
    getInfo: 'GET /asterisk/info only',
    ping: 'GET /asterisk/ping',
    getGlobalVar: 'GET /asterisk/variable variable',
    setGlobalVar: 'POST /asterisk/variable variable value',
  },
  applications: {
    list: 'GET /applications',
    get: 'GET /applications/{applicationName}',
    subscribe: 'POST /applications/{applicationName}/subscription eventSource',
    unsubscribe: 'DELETE /applications/{applicationName}/subscription eventSource',
    filter: 'PUT /applications/{applicationName}/eventFilter @@filter',
  },
  channels: {
    list: 'GET /channels',
    originate: 'POST /channels endpoint extension context priority label app appArgs callerId timeout channelId otherChannelId originator formats @variables',
    create: 'POST /channels/create endpoint app appArgs channelId otherChannelId originator formats @variables',
    get: 'GET /channels/{channelId}',
    hangup: 'DELETE /channels/{channelId} reason_code reason',
    continueInDialplan: 'POST /channels/{channelId}/continue context extension priority label',
    move: 'POST /channels/{channelId}/move app appArgs',
    redirect: 'POST /channels/{channelId}/redirect endpoint',
    answer: 'POST /channels/{channelId}/answer',
    ring: 'POST /channels/{channelId}/ring',
    ringStop: 'DELETE /channels/{channelId}/ring',
    progress: 'POST /channels/{channelId}/progress',
    sendDTMF: 'POST /channels/{channelId}/dtmf dtmf before between duration after',
    mute: 'POST /channels/{channelId}/mute direction',
    unmute: 'DELETE /channels/{channelId}/mute direction',
    hold: 'POST /channels/{channelId}/hold',
    unhold: 'DELETE /channels/{channelId}/hold',
    startMoh: 'POST /channels/{channelId}/moh mohClass',
    stopMoh: 'DELETE /channels/{channelId}/moh',
    startSilence: 'POST /channels/{channelId}/silence',
    stopSilence: 'DELETE /channels/{channelId}/silence',
    play: 'POST /channels/{channelId}/play media lang offsetms skipms playbackId',
    playWithId: 'POST /channels/{channelId}/play/{playbackId} media lang offsetms skipms',
    getChannelVar: 'GET /channels/{channelId}/variable variable',
    setChannelVar: 'POST /channels/{channelId}/variable variable value',
    dial: 'POST /channels/{channelId}/dial caller timeout',
  },
  playbacks: {
    get: 'GET /playbacks/{playbackId}',
    stop: 'DELETE /playbacks/{playbackId}',
    control: 'POST /playbacks/{playbackId}/control operation',
  },
  bridges: {
    list: 'GET /bridges',
    create: 'POST /bridges type bridgeId name',
    get: 'GET /bridges/{bridgeId}',
    destroy: 'DELETE /bridges/{bridgeId}',
    addChannel: 'POST /bridges/{bridgeId}/addChannel channel role absorbDTMF mute inhibitConnectedLineUpdates',
    removeChannel: 'POST /bridges/{bridgeId}/removeChannel channel',
    play: 'POST /bridges/{bridgeId}/play media lang offsetms skipms playbackId',
    playWithId: 'POST /bridges/{bridgeId}/play/{playbackId} media lang offsetms skipms',
  },
} as const;

type Table = typeof TABLE;
export type AriResource = keyof Table;
/** The nickname of any operation in the table (the pair with its resource is checked at the call). */
export type AriOperationName = { [R in AriResource]: keyof Table[R] & string }[AriResource];

export interface OperationSpec {
  /** e.g. channels.answer */
  name: string;
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  /** path segments: literal text and path-parameter names alternate (even: literal, odd: parameter) */
  segments: string[];
  pathParams: string[];
  query: ReadonlySet<string>;
  body: ReadonlySet<string>;
  /** the body parameter whose value is the whole request body (`@@name`), if any */
  wholeBody?: string;
}

function compile(name: string, text: string): OperationSpec {
  const [method, path, ...params] = text.split(' ');
  const segments = path!.split(/\{([^}]+)\}/);
  const pathParams = segments.filter((_, i) => i % 2 === 1);
  const whole = params.find((p) => p.startsWith('@@'))?.slice(2);
  return {
    name,
    method: method as OperationSpec['method'],
    segments,
    pathParams,
    query: new Set(params.filter((p) => !p.startsWith('@'))),
    body: new Set(params.filter((p) => p.startsWith('@')).map((p) => p.replace(/^@@?/, ''))),
    ...(whole ? { wholeBody: whole } : {}),
  };
}

const SPECS = new Map<string, OperationSpec>();
for (const [resource, ops] of Object.entries(TABLE)) {
  for (const [op, text] of Object.entries(ops)) SPECS.set(`${resource}.${op}`, compile(`${resource}.${op}`, text));
}

/** The operation `resource.operation`, or undefined when the adapter does not know it. */
export function operationSpec(resource: string, operation: string): OperationSpec | undefined {
  return SPECS.get(`${resource}.${operation}`);
}

/** Every operation (for the conformance test). */
export function allOperations(): OperationSpec[] {
  return [...SPECS.values()];
}
