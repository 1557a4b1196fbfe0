// Test phone: a keypad that calls the IVR through the service's ARI, plays the prompts as the IVR
// plays them, and shows the node, the IVR_* variables, the request registered and the outcome.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { faDigits, latinDigits } from '../fa.js';
import { html, Message, errorMsg } from '../ui.js';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function outcomeFa(o) {
  if (!o) return '';
  if (o.kind === 'transfer') return `وصل به کارشناس: ${o.skill}`;
  return (
    {
      completed: 'پایان تماس توسط سامانه (پاسخ داده شد)',
      'caller-hangup': 'تماس‌گیرنده قطع کرد',
      timeout: 'پایان زمان',
      lost: 'تماس از دست رفت',
    }[o.reason] ?? o.reason
  );
}

/** Plays prompt audio one after another; a new prompt while the queue is long skips to it. */
function usePromptPlayer() {
  const audio = useRef(null);
  const queue = useRef([]);
  const next = () => {
    const a = audio.current;
    if (!a) return;
    const name = queue.current.shift();
    if (!name) return;
    a.src = `/console/api/prompts/audio?name=${encodeURIComponent(name)}`;
    a.play().catch(() => undefined);
  };
  const enqueue = (name) => {
    const a = audio.current;
    if (queue.current.length > 4) queue.current = [];
    queue.current.push(name);
    if (a && (a.paused || a.ended)) next();
  };
  const stop = () => {
    queue.current = [];
    if (audio.current) audio.current.pause();
  };
  return { audio, enqueue, next, stop };
}

export function PhonePage() {
  const [caller, setCaller] = useState('09121234567');
  const [call, setCall] = useState(null); // { id }
  const [events, setEvents] = useState([]);
  const [msg, setMsg] = useState(null);
  const [sound, setSound] = useState(true);
  const [typed, setTyped] = useState('');
  const player = usePromptPlayer();
  const soundRef = useRef(sound);
  soundRef.current = sound;

  useEffect(() => {
    if (!call) return undefined;
    const es = new EventSource(`/console/api/test-calls/${call.id}/events`);
    es.addEventListener('call', (m) => {
      const e = JSON.parse(m.data);
      setEvents((list) => (list.some((x) => x.seq === e.seq) ? list : [...list, e]));
      if (e.type === 'prompt' && soundRef.current) player.enqueue(e.name);
      if (e.type === 'outcome' || e.type === 'error') es.close();
    });
    return () => es.close();
  }, [call && call.id]);

  const vars = {};
  let node = '';
  let outcome = null;
  for (const e of events) {
    if (e.type === 'variable') vars[e.name] = e.value;
    if (e.type === 'node') node = e.name;
    if (e.type === 'outcome') outcome = e.report;
  }
  const ended = events.some((e) => e.type === 'outcome' || e.type === 'error');
  const active = call && !ended;

  const dial = async () => {
    setMsg(null);
    setEvents([]);
    player.stop();
    try {
      setCall(await api.post('test-calls', { caller: latinDigits(caller).trim() }));
    } catch (e) {
      setMsg(errorMsg(e));
    }
  };
  const press = async (k) => {
    if (!active) return;
    if (k !== 'h') player.stop(); // a key stops the prompt, as on the phone
    try {
      await api.post(`test-calls/${call.id}/keys`, { keys: k });
    } catch (e) {
      setMsg(errorMsg(e));
    }
  };

  return html`<section class="phone">
    <h2>تلفن آزمایشی</h2>
    <p class="hint">تماس از راه همان سوییچ یا Asterisk سرویس به ۱۶۹۹ گرفته می‌شود؛ کلیدها همان لحظه فرستاده می‌شوند.</p>
    <div class="phone-grid">
      <div class="keypad-box">
        <label>شمارهٔ تماس‌گیرنده <input value=${caller} onInput=${(e) => setCaller(e.target.value)} dir="ltr" data-test="caller" disabled=${active} /></label>
        <div class="dial">
          ${active
            ? html`<button class="hangup" onClick=${() => press('h')} data-test="hangup">قطع</button>`
            : html`<button class="call" onClick=${dial} data-test="dial">تماس با ۱۶۹۹</button>`}
          <label class="inline"><input type="checkbox" checked=${sound} onChange=${(e) => setSound(e.target.checked)} /> پخش صدا</label>
        </div>
        <div class="keypad" dir="ltr">
          ${KEYS.map((k) => html`<button onClick=${() => press(k)} disabled=${!active} data-test=${`key-${k === '*' ? 'star' : k === '#' ? 'hash' : k}`}>${faDigits(k)}</button>`)}
        </div>
        <form
          class="send-keys"
          onSubmit=${(e) => {
            e.preventDefault();
            const k = latinDigits(typed).replace(/\s+/g, '');
            if (!/^[0-9*#]+$/.test(k)) return setMsg({ kind: 'error', text: 'کلیدها ۰ تا ۹ و * و # هستند' });
            press(k);
            setTyped('');
          }}
        >
          <input value=${typed} onInput=${(e) => setTyped(e.target.value)} placeholder="چند کلید با هم، مثل 0499370899#" dir="ltr" disabled=${!active} data-test="typed-keys" />
          <button type="submit" disabled=${!active} data-test="send-keys">بفرست</button>
        </form>
        <audio ref=${player.audio} onEnded=${player.next} data-test="phone-audio"></audio>
        <${Message} msg=${msg} />
      </div>
      <div class="call-state">
        <p>گره: <strong data-test="node" dir="ltr">${node || '–'}</strong></p>
        ${outcome ? html`<p class="outcome" data-test="outcome">نتیجه: <strong>${outcomeFa(outcome.outcome)}</strong></p>` : active ? html`<p class="live-dot">در حال تماس…</p>` : ''}
        ${vars.IVR_REQUEST_NUMBER ? html`<p class="request" data-test="request">درخواست ثبت شد: <strong dir="ltr">${vars.IVR_REQUEST_NUMBER}</strong> (${vars.IVR_REQUEST_TYPE} → ${vars.IVR_REQUEST_UNIT})</p>` : ''}
        <h3>متغیرهای IVR</h3>
        <table class="vars" data-test="vars" dir="ltr">
          <tbody>${Object.entries(vars).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody>
        </table>
        <h3>آنچه تماس‌گیرنده شنید</h3>
        <ol class="transcript" data-test="transcript">
          ${events.filter((e) => e.type === 'prompt' || e.type === 'error').map((e) => html`<li class=${e.type}><code dir="ltr">${e.name ?? ''}</code> ${e.text ?? ''}</li>`)}
        </ol>
      </div>
    </div>
  </section>`;
}
