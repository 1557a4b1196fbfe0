/**
 * What the Asterisk 22 modules the project loads require of other modules (their module info's
 * `requires`, read from the 22.10.1 build; `http` is the core's HTTP server, always there).
 * With `autoload = no` Asterisk loads a listed module only when every module it requires is
 * listed too — otherwise: "Error loading module 'res_ari.so', missing dependency:
 * res_websocket_client", and ARI is gone. `ivr-1699 check` reads modules.conf against this table;
 * the real-Asterisk tests check the table against a running Asterisk (every listed module loads).
 *
 * A module not in this table is one the project does not know: the check names it, because a
 * line for a module that does not exist (format_g722 in 22.x) is an error at every start.
 */
export const MODULE_REQUIRES: Readonly<Record<string, readonly string[]>> = {
  'pbx_config.so': [],
  'app_stack.so': [],
  'app_verbose.so': [],
  'app_exec.so': [],
  'app_queue.so': [],
  'app_playback.so': [],
  'app_voicemail.so': [],
  'app_echo.so': [],
  'app_dial.so': [],
  'app_read.so': [],
  'app_record.so': [],
  'app_senddtmf.so': [],
  'app_mixmonitor.so': [],
  'func_callerid.so': [],
  'func_channel.so': [],
  'func_timeout.so': [],
  'func_logic.so': [],
  'func_strings.so': [],
  'func_cut.so': [],
  'func_db.so': [],
  'res_pjproject.so': ['res_sorcery_config.so'],
  'res_sorcery_config.so': [],
  'res_sorcery_memory.so': [],
  'res_sorcery_astdb.so': [],
  'res_pjsip.so': [],
  'res_pjsip_session.so': ['res_pjsip.so'],
  'res_pjsip_pubsub.so': ['res_pjsip.so'],
  'chan_pjsip.so': ['res_pjsip.so', 'res_pjsip_session.so', 'res_pjsip_pubsub.so'],
  'res_pjsip_authenticator_digest.so': ['res_pjsip.so'],
  'res_pjsip_outbound_authenticator_digest.so': ['res_pjsip.so'],
  'res_pjsip_endpoint_identifier_ip.so': ['res_pjsip.so'],
  'res_pjsip_endpoint_identifier_user.so': ['res_pjsip.so'],
  'res_pjsip_registrar.so': ['res_pjproject.so', 'res_pjsip.so'],
  'res_pjsip_sdp_rtp.so': ['res_pjsip.so', 'res_pjsip_session.so'],
  'res_pjsip_nat.so': ['res_pjsip.so', 'res_pjsip_session.so'],
  'res_pjsip_caller_id.so': ['res_pjsip.so', 'res_pjsip_session.so'],
  'res_pjsip_header_funcs.so': ['res_pjsip.so', 'res_pjsip_session.so'],
  'res_pjsip_refer.so': ['res_pjsip.so', 'res_pjsip_session.so', 'res_pjsip_pubsub.so'],
  'res_pjsip_logger.so': ['res_pjsip.so'],
  'res_rtp_asterisk.so': ['res_pjproject.so'],
  'res_timing_timerfd.so': [],
  'bridge_simple.so': [],
  'bridge_native_rtp.so': [],
  'bridge_softmix.so': [],
  'bridge_holding.so': [],
  'bridge_builtin_features.so': [],
  'chan_bridge_media.so': [],
  'res_musiconhold.so': [],
  'codec_ulaw.so': [],
  'codec_alaw.so': [],
  'codec_a_mu.so': [],
  'codec_g722.so': [],
  'codec_resample.so': [],
  'format_sln.so': [],
  'format_pcm.so': [],
  'format_wav.so': [],
  'res_http_websocket.so': [],
  'res_websocket_client.so': ['res_http_websocket.so'],
  'res_stasis.so': [],
  'res_stasis_answer.so': ['res_stasis.so'],
  'res_stasis_playback.so': ['res_stasis.so', 'res_stasis_recording.so'],
  'res_stasis_recording.so': ['res_stasis.so'],
  'res_stasis_snoop.so': ['res_stasis.so'],
  'res_stasis_device_state.so': ['res_stasis.so'],
  'app_stasis.so': ['res_stasis.so', 'res_ari.so'],
  'res_ari.so': ['res_stasis.so', 'res_http_websocket.so', 'res_websocket_client.so'],
  'res_ari_model.so': [],
  'res_ari_applications.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so'],
  'res_ari_asterisk.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so'],
  'res_ari_bridges.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so', 'res_stasis_recording.so', 'res_stasis_playback.so'],
  'res_ari_channels.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so', 'res_stasis_answer.so', 'res_stasis_playback.so', 'res_stasis_recording.so', 'res_stasis_snoop.so'],
  'res_ari_device_states.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so', 'res_stasis_device_state.so'],
  'res_ari_endpoints.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so'],
  'res_ari_events.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so', 'res_http_websocket.so'],
  'res_ari_playbacks.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so', 'res_stasis_playback.so'],
  'res_ari_recordings.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so', 'res_stasis_recording.so'],
  'res_ari_sounds.so': ['res_ari.so', 'res_ari_model.so', 'res_stasis.so'],
};

/** Modules that Asterisk 22 does not have, with what to use instead. */
export const MODULES_GONE: Readonly<Record<string, string>> = {
  'format_g722.so': 'Asterisk 22 has no format_g722 module: format_pcm.so reads and writes .g722 files',
  'chan_sip.so': 'chan_sip was removed in Asterisk 21: use chan_pjsip.so',
};

/** Problems of a modules.conf with `autoload = no`: modules that cannot load, and why. */
export function moduleProblems(loaded: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of loaded) {
    const gone = MODULES_GONE[m];
    if (gone) {
      out.push(`${m}: ${gone}`);
      continue;
    }
    const requires = MODULE_REQUIRES[m];
    if (!requires) {
      out.push(`${m} is not a module the project knows for Asterisk 22 (if it exists, add what it requires to src/dialplan/module-deps.ts)`);
      continue;
    }
    const missing = requires.filter((r) => !loaded.has(r));
    if (missing.length) out.push(`${m} requires ${missing.join(', ')}, which modules.conf (autoload = no) does not load: Asterisk will refuse to load ${m}`);
  }
  return out;
}
