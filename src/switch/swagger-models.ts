/**
 * Swagger 1.1 models of the objects and events the switch sends, written compactly:
 * `name:type` with `!` for required. Event models carry the common Message/Event fields
 * too, so ari-client can promote `channel`, `playback`, `bridge`… to instances.
 */
export interface ModelDoc {
  id: string;
  description: string;
  extends?: string;
  subTypes?: string[];
  properties: Record<string, { type: string; required: boolean; description: string }>;
}

const RESOURCE_MODELS: Record<string, [string, string]> = {
  CallerID: ['Caller identification', 'name:string! number:string!'],
  DialplanCEP: ['Dialplan location (context/extension/priority)', 'context:string! exten:string! priority:long! app_name:string! app_data:string!'],
  Channel: [
    'A specific communication connection between Asterisk and an Endpoint.',
    'id:string! protocol_id:string! name:string! state:string! caller:CallerID! connected:CallerID! accountcode:string! dialplan:DialplanCEP! creationtime:Date! language:string! channelvars:object',
  ],
  Variable: ['The value of a channel variable', 'value:string!'],
  Playback: ['Object representing the playback of media to a channel', 'id:string! media_uri:string! next_media_uri:string target_uri:string! language:string state:string!'],
  Bridge: [
    'The merging of media from one or more channels.',
    'id:string! technology:string! bridge_type:string! bridge_class:string! creator:string! name:string! channels:List[string]! video_mode:string creationtime:Date!',
  ],
  Application: [
    'Details of a Stasis application',
    'name:string! channel_ids:List[string]! bridge_ids:List[string]! endpoint_ids:List[string]! device_names:List[string]! events_allowed:List[object]! events_disallowed:List[object]!',
  ],
  BuildInfo: ['Info about how Asterisk was built', 'os:string! kernel:string! options:string! machine:string! date:string! user:string!'],
  SystemInfo: ['Info about Asterisk', 'version:string! entity_id:string!'],
  SetId: ['Effective user/group id', 'user:string! group:string!'],
  ConfigInfo: ['Info about Asterisk configuration', 'name:string! default_language:string! max_channels:int max_open_files:int max_load:double setid:SetId!'],
  StatusInfo: ['Info about Asterisk status', 'startup_time:Date! last_reload_time:Date!'],
  AsteriskInfo: ['Asterisk system information', 'build:BuildInfo system:SystemInfo config:ConfigInfo status:StatusInfo'],
  AsteriskPing: ['Asterisk ping information', 'asterisk_id:string! ping:string! timestamp:string!'],
};

/** Every event type the switch may send, with its own fields. */
export const EVENT_MODELS: Record<string, [string, string]> = {
  StasisStart: ['Notification that a channel has entered a Stasis application.', 'args:List[string]! channel:Channel! replace_channel:Channel'],
  StasisEnd: ['Notification that a channel has left a Stasis application.', 'channel:Channel!'],
  ChannelStateChange: ['Notification of a channel\'s state change.', 'channel:Channel!'],
  ChannelDtmfReceived: ['DTMF received on a channel.', 'digit:string! duration_ms:int! channel:Channel!'],
  ChannelHangupRequest: ['A hangup was requested on the channel.', 'cause:int soft:boolean channel:Channel!'],
  ChannelDestroyed: ['Notification that a channel has been destroyed.', 'cause:int! cause_txt:string! channel:Channel!'],
  ChannelVarset: ['Channel variable changed.', 'variable:string! value:string! channel:Channel'],
  ChannelDialplan: ['Channel changed location in the dialplan.', 'channel:Channel! dialplan_app:string! dialplan_app_data:string!'],
  ChannelCallerId: ['Channel changed Caller ID.', 'caller_presentation:int! caller_presentation_txt:string! channel:Channel!'],
  ChannelConnectedLine: ['Channel changed Connected Line.', 'channel:Channel!'],
  Dial: ['Dialing state has changed.', 'caller:Channel peer:Channel! forward:string forwarded:Channel dialstring:string dialstatus:string!'],
  PlaybackStarted: ['Event showing the start of a media playback operation.', 'playback:Playback!'],
  PlaybackContinuing: ['Event showing the continuation of a media playback operation from one media URI to the next in the list.', 'playback:Playback!'],
  PlaybackFinished: ['Event showing the completion of a media playback operation.', 'playback:Playback!'],
  BridgeCreated: ['Notification that a bridge has been created.', 'bridge:Bridge!'],
  BridgeDestroyed: ['Notification that a bridge has been destroyed.', 'bridge:Bridge!'],
  ChannelEnteredBridge: ['Notification that a channel has entered a bridge.', 'bridge:Bridge! channel:Channel'],
  ChannelLeftBridge: ['Notification that a channel has left a bridge.', 'bridge:Bridge! channel:Channel!'],
  ApplicationReplaced: ['Notification that another WebSocket has taken over for an application.', ''],
};

function props(spec: string): ModelDoc['properties'] {
  const out: ModelDoc['properties'] = {};
  for (const tok of spec.split(/\s+/).filter(Boolean)) {
    const m = /^(\w+):([\w[\]]+)(!?)$/.exec(tok);
    if (!m) throw new Error(`swagger-models: bad property notation '${tok}'`);
    out[m[1] ?? ''] = { type: m[2] ?? 'string', required: m[3] === '!', description: m[1] ?? '' };
  }
  return out;
}

export function resourceModel(name: string): ModelDoc {
  const def = RESOURCE_MODELS[name];
  if (!def) throw new Error(`swagger-models: unknown model '${name}'`);
  return { id: name, description: def[0], properties: props(def[1]) };
}

/** Message, Event and every event model, as events.json carries them. */
export function eventModels(): Record<string, ModelDoc> {
  const types = Object.keys(EVENT_MODELS);
  const out: Record<string, ModelDoc> = {
    Message: {
      id: 'Message',
      description: 'Base type for errors and events',
      subTypes: ['MissingParams', 'Event'],
      properties: props('type:string! asterisk_id:string'),
    },
    MissingParams: {
      id: 'MissingParams',
      description: 'Error event sent when required params are missing.',
      extends: 'Message',
      properties: props('type:string! params:List[string]!'),
    },
    Event: {
      id: 'Event',
      description: 'Base type for asynchronous events from Asterisk.',
      extends: 'Message',
      subTypes: types,
      properties: props('type:string! asterisk_id:string application:string! timestamp:Date!'),
    },
  };
  for (const [name, [description, spec]] of Object.entries(EVENT_MODELS)) {
    out[name] = {
      id: name,
      description,
      extends: 'Event',
      properties: { ...props('type:string! asterisk_id:string application:string! timestamp:Date!'), ...props(spec) },
    };
  }
  return out;
}
