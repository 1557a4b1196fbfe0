// Shared pieces of the console's pages (preact + htm, no build-time JSX).
import { h } from 'preact';
import htm from 'htm';
export const html = htm.bind(h);

export function Message({ msg }) {
  if (!msg) return null;
  return html`<p class=${`msg ${msg.kind}`} role=${msg.kind === 'error' ? 'alert' : 'status'} data-test="message">${msg.text}</p>`;
}

/** Makes an error a message for the page. */
export function errorMsg(e) {
  return { kind: 'error', text: e && e.message ? e.message : String(e) };
}
