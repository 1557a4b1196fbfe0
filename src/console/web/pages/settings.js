// Settings: the effective thresholds, timeouts, menu keys and routing, read-only, with the file to edit.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { faDateTime, faNumber } from '../fa.js';
import { html, Message, errorMsg } from '../ui.js';

function Value({ v }) {
  if (v === null || v === undefined) return html`<span class="none">–</span>`;
  if (Array.isArray(v)) return html`<span dir="ltr">${v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')}</span>`;
  if (typeof v === 'object') return html`<${Table} obj=${v} />`;
  if (typeof v === 'number') return html`<span>${faNumber(v)}</span>`;
  return html`<bdi dir="ltr">${String(v)}</bdi>`;
}

function Table({ obj, test }) {
  return html`<table class="kv" data-test=${test}>
    <tbody>${Object.entries(obj)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => html`<tr><th dir="ltr">${k}</th><td><${Value} v=${v} /></td></tr>`)}</tbody>
  </table>`;
}

function Menus({ menus }) {
  return html`<div class="menus">
    ${Object.entries(menus).map(
      ([name, m]) => html`<div class="menu">
        <h4 dir="ltr">${name}</h4>
        <table class="kv" dir="ltr">
          <tbody>${Object.entries(m.keys ?? m).map(([k, item]) => html`<tr><th>${k}</th><td>${typeof item === 'object' ? Object.entries(item).map(([a, b]) => `${a}: ${b}`).join(', ') : String(item)}</td></tr>`)}</tbody>
        </table>
      </div>`,
    )}
  </div>`;
}

export function SettingsPage() {
  const [s, setS] = useState(null);
  const [audit, setAudit] = useState(null);
  const [msg, setMsg] = useState(null);
  useEffect(() => {
    api.get('settings').then(setS).catch((e) => setMsg(errorMsg(e)));
    api.get('audit').then(setAudit).catch((e) => setMsg(errorMsg(e)));
  }, []);
  if (!s) return html`<${Message} msg=${msg} /><p class="loading">…</p>`;
  const { menus, ...flowRest } = s.flow;
  return html`<section class="settings">
    <h2>تنظیمات مؤثر</h2>
    <p class="hint" data-test="config-file">
      این صفحه فقط خواندنی است. برای تغییر، فایل پیکربندی <bdi dir="ltr"><code>${s.file ?? s.defaultFile}</code></bdi> را ویرایش کنید
      ${s.file ? '' : html` (هنوز وجود ندارد؛ از روی نمونهٔ <bdi dir="ltr"><code>${s.example}</code></bdi> بسازید)`}؛ همان اعتبارسنجی سرویس و خط فرمان روی آن اجرا
      می‌شود.
    </p>
    <h3>آستانه‌ها (policy)</h3>
    <${Table} obj=${s.thresholds} test="thresholds" />
    <h3>زمان‌های انتظار (flow.timeouts)</h3>
    <${Table} obj=${s.timeouts} test="timeouts" />
    <h3>کلیدهای منو (flow.menus)</h3>
    <${Menus} menus=${menus ?? {}} />
    <h3>سایر تنظیمات جریان تماس</h3>
    <${Table} obj=${flowRest} />
    <h3>مسیریابی (routing)</h3>
    <${Table} obj=${s.routing} test="routing" />
    <h3>ردپای تغییرات (audit)</h3>
    ${audit
      ? html`<table class="audit" data-test="audit">
          <thead><tr><th>زمان</th><th>کاربر</th><th>کار</th><th>روی</th><th>نتیجه</th></tr></thead>
          <tbody>${audit.entries.slice(0, 30).map((e) => html`<tr><td>${faDateTime(e.at)}</td><td dir="ltr">${e.user}</td><td dir="ltr">${e.action}</td><td dir="ltr">${e.target ?? ''}</td><td>${e.result}</td></tr>`)}</tbody>
        </table>`
      : ''}
    <${Message} msg=${msg} />
  </section>`;
}
