// Reports over the call records (issue 12's report): self-service rate per day, transfers by skill
// and reason, the drop-off funnel per menu node, for a Jalali date range, with CSV download.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Chart, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip } from 'chart.js';
import { api } from '../api.js';
import { faDigits, faNumber, faPercent, gregorianOfJalali, jalaliString, faDuration } from '../fa.js';
import { html, Message, errorMsg } from '../ui.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = 'Vazirmatn, Tahoma, sans-serif';
Chart.defaults.animation = false;

function BarChart({ labels, datasets, horizontal, stacked, test, percent }) {
  const canvas = useRef(null);
  useEffect(() => {
    const fmt = (v) => (percent ? faPercent(v) : faNumber(v));
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: datasets.map((d) => ({ maxBarThickness: 42, ...d })) },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        locale: 'fa-IR',
        plugins: { legend: { display: datasets.length > 1, rtl: true }, tooltip: { rtl: true, callbacks: { label: (c) => `${c.dataset.label}: ${fmt(c.raw)}` } } },
        scales: {
          x: { stacked, reverse: !horizontal, ticks: horizontal ? { callback: fmt, precision: 0 } : {} },
          y: { stacked, position: 'right', ticks: horizontal ? {} : { callback: fmt, ...(percent ? {} : { precision: 0 }) }, ...(percent ? { max: 1, min: 0 } : {}) },
        },
      },
    });
    return () => chart.destroy();
  }, [JSON.stringify({ labels, datasets })]);
  return html`<div class="chart" style=${{ height: `${Math.max(180, horizontal ? labels.length * 26 + 60 : 240)}px` }}><canvas ref=${canvas} data-test=${test}></canvas></div>`;
}

const DAY = 86400000;

function dayLabel(ymd) {
  return faDigits(jalaliString(Date.parse(`${ymd}T12:00:00Z`)));
}

export function ReportsPage() {
  const [from, setFrom] = useState(faDigits(jalaliString(Date.now() - 6 * DAY)));
  const [to, setTo] = useState(faDigits(jalaliString(Date.now())));
  const [range, setRange] = useState(null);
  const [report, setReport] = useState(null);
  const [msg, setMsg] = useState(null);
  const load = (e) => {
    if (e) e.preventDefault();
    let r;
    try {
      r = { from: gregorianOfJalali(from), to: gregorianOfJalali(to) };
      if (r.from > r.to) throw new Error('تاریخ شروع بعد از تاریخ پایان است');
    } catch (err) {
      return setMsg(errorMsg(err));
    }
    setMsg(null);
    setRange(r);
    api
      .get(`reports?from=${r.from}&to=${r.to}`)
      .then(setReport)
      .catch((err) => setMsg(errorMsg(err)));
  };
  useEffect(() => load(), []);
  const rep = report && report.report;
  return html`<section class="reports">
    <h2>گزارش‌ها</h2>
    <form class="range" onSubmit=${load}>
      <label>از <input value=${from} onInput=${(e) => setFrom(e.target.value)} dir="ltr" data-test="from" /></label>
      <label>تا <input value=${to} onInput=${(e) => setTo(e.target.value)} dir="ltr" data-test="to" /></label>
      <button type="submit" data-test="show-report">نمایش</button>
      ${range ? html`<a class="button" href=${`/console/api/reports.csv?from=${range.from}&to=${range.to}`} download data-test="csv">دریافت CSV</a>` : ''}
    </form>
    <p class="hint">تاریخ‌ها خورشیدی و به وقت تهران‌اند؛ هر تماس با زمان ورودش به IVR شمرده می‌شود.</p>
    <${Message} msg=${msg} />
    ${rep
      ? html`<div class="figures" data-test="figures">
            <div><span>تماس‌ها</span><strong data-test="calls">${faNumber(rep.calls)}</strong></div>
            <div><span>خودپاسخ (بدون کارشناس)</span><strong data-test="self-service">${faPercent(rep.selfServiceRate)}</strong></div>
            <div><span>انتقال به کارشناس</span><strong>${faNumber(rep.transfers)}</strong></div>
            <div><span>قطع توسط تماس‌گیرنده</span><strong>${faNumber(rep.callerHangups)}</strong></div>
            <div><span>زمان رسیدن به کارشناس (میانه)</span><strong>${rep.timeToAgentMs.p50 === null ? '–' : faDuration(rep.timeToAgentMs.p50 / 1000)}</strong></div>
          </div>
          <h3>نرخ خودپاسخ در هر روز</h3>
          <${BarChart}
            test="chart-days"
            percent=${true}
            labels=${rep.perDay.map((d) => dayLabel(d.period))}
            datasets=${[{ label: 'خودپاسخ', data: rep.perDay.map((d) => (d.calls ? d.selfService / d.calls : 0)), backgroundColor: '#067647' }]}
          />
          <table class="days" data-test="days">
            <thead><tr><th>روز</th><th>تماس</th><th>خودپاسخ</th><th>انتقال</th><th>قطع</th><th>نرخ خودپاسخ</th></tr></thead>
            <tbody>${rep.perDay.map((d) => html`<tr><td>${dayLabel(d.period)}</td><td>${faNumber(d.calls)}</td><td>${faNumber(d.selfService)}</td><td>${faNumber(d.transfers)}</td><td>${faNumber(d.callerHangups)}</td><td>${faPercent(d.calls ? d.selfService / d.calls : 0)}</td></tr>`)}</tbody>
          </table>
          <h3>انتقال به کارشناس بر پایهٔ گروه مهارت و دلیل</h3>
          <${BarChart}
            test="chart-skills"
            horizontal=${true}
            labels=${Object.keys(rep.transfersBySkill)}
            datasets=${[{ label: 'انتقال', data: Object.values(rep.transfersBySkill), backgroundColor: '#0b6bcb' }]}
          />
          <table data-test="transfers">
            <thead><tr><th>گروه / دلیل</th><th>تماس</th></tr></thead>
            <tbody>${Object.entries(rep.transfersBySkillAndReason).map(([k, v]) => html`<tr><td dir="ltr">${k}</td><td>${faNumber(v)}</td></tr>`)}</tbody>
          </table>
          <h3>قیف ریزش در هر گره</h3>
          <${BarChart}
            test="chart-funnel"
            horizontal=${true}
            stacked=${true}
            labels=${rep.nodes.map((n) => n.node)}
            datasets=${[
              { label: 'ادامه داد', data: rep.nodes.map((n) => n.calls - n.dropOffs), backgroundColor: '#0b6bcb' },
              { label: 'همین‌جا قطع کرد', data: rep.nodes.map((n) => n.dropOffs), backgroundColor: '#b42318' },
            ]}
          />
          <table data-test="nodes">
            <thead><tr><th>گره</th><th>تماس</th><th>ورود</th><th>تکرار</th><th>نرخ تکرار</th><th>ریزش</th><th>نرخ ریزش</th></tr></thead>
            <tbody>${rep.nodes.map((n) => html`<tr><td dir="ltr">${n.node}</td><td>${faNumber(n.calls)}</td><td>${faNumber(n.visits)}</td><td>${faNumber(n.repeats)}</td><td>${faPercent(n.repeatRate)}</td><td>${faNumber(n.dropOffs)}</td><td>${faPercent(n.dropOffRate)}</td></tr>`)}</tbody>
          </table>`
      : ''}
  </section>`;
}
