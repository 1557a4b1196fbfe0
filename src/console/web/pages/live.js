// Live calls: the calls in the IVR now, each with its node and the time there, pushed by the service.
import { useEffect, useState } from 'preact/hooks';
import { faDuration, faDateTime, faNumber } from '../fa.js';
import { html } from '../ui.js';

export function LivePage() {
  const [data, setData] = useState(null);
  const [offset, setOffset] = useState(0);
  const [, tick] = useState(0);
  const [down, setDown] = useState(false);
  useEffect(() => {
    const es = new EventSource('/console/api/live?stream=1');
    es.addEventListener('calls', (m) => {
      const d = JSON.parse(m.data);
      setOffset(d.now - Date.now());
      setData(d);
      setDown(false);
    });
    es.onerror = () => setDown(true);
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => {
      es.close();
      clearInterval(t);
    };
  }, []);
  const now = Date.now() + offset;
  return html`<section>
    <h2>تماس‌های جاری</h2>
    <p class="hint">بدون بارگذاری دوباره به‌روز می‌شود. ${down ? html`<strong>ارتباط با سرویس قطع است؛ دوباره وصل می‌شود…</strong>` : ''}</p>
    ${!data
      ? html`<p class="loading">…</p>`
      : html`<p data-test="live-count">${faNumber(data.calls.length)} تماس در IVR</p>
          <table class="live" data-test="live-calls">
            <thead><tr><th>تماس‌گیرنده</th><th>گره فعلی</th><th>زمان در این گره</th><th>موضوع</th><th>شروع</th><th>مدت تماس</th></tr></thead>
            <tbody>
              ${data.calls.map(
                (c) => html`<tr data-test="live-call">
                  <td dir="ltr">${c.caller}</td>
                  <td dir="ltr" data-test="live-node">${c.node}</td>
                  <td>${faDuration((now - c.nodeSince) / 1000)}</td>
                  <td dir="ltr">${c.topic ?? '–'}</td>
                  <td>${faDateTime(c.startedAt)}</td>
                  <td>${faDuration((now - c.startedAt) / 1000)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
  </section>`;
}
