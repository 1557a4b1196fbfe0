/**
 * `ivr-1699 prompts script`: what a voice artist needs for a studio session — every prompt and
 * say-back fragment with its Persian text, the file name to save it as (what `prompts import-batch`
 * reads), what it is for, and notes on tone and on the joining forms; as CSV (for the studio's
 * spreadsheet) and as a printable HTML document (right-to-left Persian). Generated pauses are left
 * out: there is nothing to record. Building the rows and the documents is pure; the CLI writes them.
 */
import type { PromptEntry } from './catalogue.ts';
import { sessionFileName } from './batch.ts';

export interface ScriptRow {
  name: string;
  /** the file name to save the recording as */
  file: string;
  text: string;
  purpose: string;
  /** tone and joining notes for the voice artist */
  notes: string;
  /** draft / recorded / … (`prompts list`) */
  state: string;
  /** length of the current audio, seconds (a guide for the pace) */
  seconds: number | null;
}

/** Notes on how to say a prompt, from what kind of prompt it is. */
export function recordingNotes(e: Pick<PromptEntry, 'name' | 'text'>): string {
  const n = e.name;
  if (/^num\/\d+-o$/.test(n)) {
    return 'Joining form: the number word with an unstressed "-o" glued on (bist-o, sisad-o), no pause and no fall after it — the next number word follows at once. Record together with the plain form for the same pitch.';
  }
  if (/^(num|digit)\//.test(n)) {
    return 'Fragment joined into numbers: level, neutral tone, no rise or fall at the end, short tail, same pace and distance from the microphone for the whole series.';
  }
  if (/^(day|month|weekday)\//.test(n)) return 'Date fragment, joined with others ("پانزدهم فروردین"): neutral, no final fall, short tail.';
  if (/^word\//.test(n)) return 'Word joined after a number (amount, count, unit): neutral, it ends the phrase, a light fall is fine.';
  if (/^(main-menu|menu-)/.test(n) || /-ask-|^question-/.test(n)) {
    return 'Menu: clear and unhurried, a short pause between options, stress the key names (یک، دو …).';
  }
  if (/^entry-|^invalid-key$|^no-input$|^too-many-tries$/.test(n)) return 'Correction: calm and helpful, never reproachful.';
  if (/^(welcome|goodbye|thank-you)$/.test(n)) return 'Warm and friendly, smiling voice.';
  if (e.text.trim().endsWith(':') || !/[.!؟?]$/.test(e.text.trim())) {
    return 'Lead-in: a value (number, date, amount) follows directly; keep the voice up at the end, no final fall.';
  }
  return 'Informative, calm and friendly; a complete sentence with a natural fall at the end.';
}

export function scriptRows(entries: Iterable<PromptEntry>, state: (name: string) => string, seconds: (name: string) => number | null): ScriptRow[] {
  const rows: ScriptRow[] = [];
  for (const e of entries) {
    if (e.silenceMs !== undefined) continue; // generated pause: nothing to record
    rows.push({ name: e.name, file: sessionFileName(e.name), text: e.text, purpose: e.purpose, notes: recordingNotes(e), state: state(e.name), seconds: seconds(e.name) });
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

const CSV_COLUMNS = ['file', 'name', 'text', 'purpose', 'notes', 'state', 'seconds'] as const;

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs show the Persian). */
export function scriptCsv(rows: readonly ScriptRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(CSV_COLUMNS.map((c) => csvField(c === 'seconds' ? (r.seconds === null ? '' : r.seconds.toFixed(1)) : r[c])).join(','));
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A printable document: one row per recording, the Persian text large and right to left. */
export function scriptHtml(rows: readonly ScriptRow[], meta: { title: string; generated: string }): string {
  const body = rows
    .map(
      (r, i) => `<tr><td class="n">${i + 1}</td><td class="f"><code>${esc(r.file)}</code><div class="p">${esc(r.purpose)}</div></td>` +
        `<td class="t" dir="rtl" lang="fa">${esc(r.text)}</td><td class="o">${esc(r.notes)}${r.seconds === null ? '' : `<div class="s">draft ${r.seconds.toFixed(1)} s · ${esc(r.state)}</div>`}</td><td class="c">☐</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(meta.title)}</title>
<style>
body{font-family:sans-serif;margin:1.5cm;font-size:11pt}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #999;padding:6px;vertical-align:top}
th{background:#eee;text-align:left}
td.t{font-size:16pt;font-family:Vazirmatn,Tahoma,sans-serif;text-align:right;width:40%}
td.n,td.c{width:1.5em;text-align:center}
.p,.s{color:#555;font-size:9pt;margin-top:4px}
tr{page-break-inside:avoid}
@media print{body{margin:1cm}}
</style></head>
<body>
<h1>${esc(meta.title)}</h1>
<p>${rows.length} recordings. Save each as the file name shown (mono, 16-bit, 16 kHz or more, about 0.3 s of silence at each end),
all in one folder, then <code>ivr-1699 prompts import-batch FOLDER</code> checks the whole session and puts it live together.
Record a series (numbers, digits, days, months) in one sitting at the same distance and level. Generated ${esc(meta.generated)}.</p>
<table><thead><tr><th>#</th><th>file</th><th>text</th><th>notes</th><th>✓</th></tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
