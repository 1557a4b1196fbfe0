// Prompts: text, draft or recording, length, check result; play, upload a recording, restore the
// previous version, edit the text (the draft is rebuilt).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { faDuration, faNumber } from '../fa.js';
import { html, Message, errorMsg } from '../ui.js';

export const STATE_FA = {
  draft: 'پیش‌نویس (صدای ماشینی)',
  'draft-outdated': 'پیش‌نویس کهنه',
  recorded: 'ضبط شده',
  'recorded-outdated': 'ضبط برای متن قبلی',
  missing: 'بدون صدا',
};

function Row({ p, onChanged, setMsg }) {
  const [playing, setPlaying] = useState(false);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(p.text);
  const [busy, setBusy] = useState(false);
  const [stamp, setStamp] = useState(Date.now());
  const act = async (what, fn) => {
    setBusy(true);
    setMsg({ kind: 'info', text: `${what}…` });
    try {
      const r = await fn();
      setMsg({ kind: 'ok', text: `${what}: انجام شد${r && r.note ? ` (${r.note})` : ''}` });
      setStamp(Date.now());
      onChanged();
    } catch (e) {
      setMsg(errorMsg(e));
    } finally {
      setBusy(false);
    }
  };
  const upload = (e) => {
    const file = e.target.files && e.target.files[0];
    e.target.value = '';
    if (!file) return;
    act(`بارگذاری ${file.name} برای ${p.name}`, () => api.upload(`prompts/upload?name=${encodeURIComponent(p.name)}&file=${encodeURIComponent(file.name)}`, file));
  };
  const id = p.name.replace(/\//g, '__');
  return html`<tr data-test=${`prompt-${id}`} class=${p.problems.length ? 'has-problem' : ''}>
    <td class="name" dir="ltr">${p.name}</td>
    <td class="text">
      ${editing
        ? html`<form
            onSubmit=${(e) => {
              e.preventDefault();
              act(`متن ${p.name}`, () => api.post('prompts/text', { name: p.name, text })).then(() => setEditing(false));
            }}
          >
            <textarea value=${text} onInput=${(e) => setText(e.target.value)} rows="2" data-test="text-input"></textarea>
            <button type="submit" disabled=${busy} data-test="text-save">ذخیره و ساخت پیش‌نویس</button>
            <button type="button" class="link" onClick=${() => setEditing(false)}>انصراف</button>
          </form>`
        : html`<span>${p.text}</span> <button class="link" onClick=${() => setEditing(true)} title="ویرایش متن" data-test="text-edit">ویرایش</button>`}
      <div class="purpose" dir="ltr">${p.purpose}</div>
    </td>
    <td data-test="state">${STATE_FA[p.state] ?? p.state}</td>
    <td data-test="length">${faDuration(p.seconds)}${p.seconds !== null && p.seconds < 60 ? html`<small> (${faNumber(p.seconds, 1)} ث)</small>` : ''}</td>
    <td class="check" data-test="check">${p.problems.length ? html`<ul>${p.problems.map((x) => html`<li dir="ltr">${x}</li>`)}</ul>` : html`<span class="ok">✓ سالم</span>`}</td>
    <td class="actions">
      ${playing
        ? html`<audio controls autoplay src=${`/console/api/prompts/audio?name=${encodeURIComponent(p.name)}&t=${stamp}`} data-test="audio" onEnded=${() => setPlaying(false)}></audio>`
        : html`<button onClick=${() => setPlaying(true)} disabled=${p.seconds === null} data-test="play">▶ پخش</button>`}
      <label class="button">بارگذاری ضبط<input type="file" accept="audio/*,.wav,.mp3,.flac,.ogg" onChange=${upload} disabled=${busy} data-test="upload" hidden /></label>
      ${p.versions > 0 ? html`<button onClick=${() => act(`بازگرداندن نسخهٔ قبلی ${p.name}`, () => api.post('prompts/restore', { name: p.name }))} disabled=${busy} data-test="restore">بازگرداندن نسخهٔ قبلی (${faNumber(p.versions)})</button>` : ''}
    </td>
  </tr>`;
}

export function PromptsPage() {
  const [data, setData] = useState(null);
  const [filter, setFilter] = useState('');
  const [msg, setMsg] = useState(null);
  const load = () =>
    api
      .get('prompts')
      .then(setData)
      .catch((e) => setMsg(errorMsg(e)));
  useEffect(() => {
    load();
  }, []);
  if (!data) return html`<p class="loading">…</p><${Message} msg=${msg} />`;
  const f = filter.trim();
  const rows = data.prompts.filter((p) => !f || p.name.includes(f) || p.text.includes(f));
  const problems = data.prompts.filter((p) => p.problems.length).length;
  return html`<section>
    <h2>پیام‌های صوتی</h2>
    <p class="hint">
      ${faNumber(data.prompts.length)} پیام، ${faNumber(data.prompts.filter((p) => p.state.startsWith('recorded')).length)} ضبط شده،
      ${problems ? html`<strong>${faNumber(problems)} با ایراد</strong>` : 'همه سالم'}. هر تغییر از تماس بعدی شنیده می‌شود. پوشه: <code dir="ltr">${data.dir}</code>
    </p>
    <input type="search" placeholder="جستجو در نام یا متن" value=${filter} onInput=${(e) => setFilter(e.target.value)} data-test="filter" />
    <${Message} msg=${msg} />
    <table class="prompts">
      <thead><tr><th>نام</th><th>متن</th><th>وضعیت</th><th>مدت</th><th>بررسی</th><th></th></tr></thead>
      <tbody>${rows.map((p) => html`<${Row} key=${p.name} p=${p} onChanged=${load} setMsg=${setMsg} />`)}</tbody>
    </table>
  </section>`;
}
