// Requests: what the IVR registered, their delivery to Quantum, and a retry for a failed one.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { faDateTime, faNumber } from '../fa.js';
import { html, Message, errorMsg } from '../ui.js';

const STATUS_FA = { pending: 'در صف ارسال', delivered: 'تحویل شد', failed: 'ناموفق' };

export function RequestsPage() {
  const [status, setStatus] = useState('');
  const [data, setData] = useState(null);
  const [msg, setMsg] = useState(null);
  const load = () =>
    api
      .get(`requests${status ? `?status=${status}` : ''}`)
      .then(setData)
      .catch((e) => setMsg(errorMsg(e)));
  useEffect(() => {
    load();
  }, [status]);
  const retry = async (number) => {
    try {
      await api.post('requests/retry', { number });
      setMsg({ kind: 'ok', text: `${number} دوباره در صف ارسال به کوانتوم قرار گرفت.` });
      load();
    } catch (e) {
      setMsg(errorMsg(e));
    }
  };
  return html`<section>
    <h2>درخواست‌های ثبت‌شده</h2>
    ${data ? html`<p class="hint">در صف: ${faNumber(data.counts.pending)}، تحویل‌شده: ${faNumber(data.counts.delivered)}، ناموفق: ${faNumber(data.counts.failed)}</p>` : ''}
    ${data && data.note ? html`<p class="msg info" dir="ltr">${data.note}</p>` : ''}
    <label>وضعیت
      <select value=${status} onChange=${(e) => setStatus(e.target.value)} data-test="status-filter">
        <option value="">همه</option>
        ${Object.entries(STATUS_FA).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
      </select>
    </label>
    <${Message} msg=${msg} />
    ${data
      ? html`<table class="requests" data-test="requests">
          <thead><tr><th>شماره</th><th>زمان</th><th>وضعیت</th><th>نوع → واحد</th><th>قاعده</th><th>کد ملی</th><th>سفارش</th><th>تلاش</th><th>خطا</th><th></th></tr></thead>
          <tbody>
            ${data.requests.map(
              (r) => html`<tr data-test="request-row">
                <td dir="ltr">${r.number}</td>
                <td>${faDateTime(r.createdAt)}</td>
                <td class=${`st-${r.status}`}>${STATUS_FA[r.status] ?? r.status}</td>
                <td dir="ltr">${r.type} → ${r.unit}</td>
                <td dir="ltr">${r.rule ?? ''} ${r.outcome ?? ''}</td>
                <td dir="ltr">${r.nationalId ?? ''}</td>
                <td dir="ltr">${r.orderNumber ?? ''}</td>
                <td>${faNumber(r.attempts ?? 0)}</td>
                <td dir="ltr" class="err">${r.status !== 'delivered' ? (r.lastError ?? '') : ''}</td>
                <td>${r.status === 'failed' ? html`<button onClick=${() => retry(r.number)} data-test="retry">ارسال دوباره</button>` : ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${data.requests.length === 0 ? html`<p>درخواستی نیست.</p>` : ''}`
      : html`<p class="loading">…</p>`}
  </section>`;
}
