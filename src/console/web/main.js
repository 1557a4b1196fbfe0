// The web console of ivr-1699: sign-in, then one page per task (hash routes).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrf } from './api.js';
import { html, Message, errorMsg } from './ui.js';
import { PromptsPage } from './pages/prompts.js';
import { PhonePage } from './pages/phone.js';
import { LivePage } from './pages/live.js';
import { RequestsPage } from './pages/requests.js';
import { ReportsPage } from './pages/reports.js';
import { SettingsPage } from './pages/settings.js';

const PAGES = [
  { id: 'prompts', title: 'پیام‌ها', page: PromptsPage },
  { id: 'phone', title: 'تلفن آزمایشی', page: PhonePage },
  { id: 'live', title: 'تماس‌های جاری', page: LivePage },
  { id: 'reports', title: 'گزارش‌ها', page: ReportsPage },
  { id: 'requests', title: 'درخواست‌ها', page: RequestsPage },
  { id: 'settings', title: 'تنظیمات', page: SettingsPage },
];

function currentPage() {
  const id = location.hash.replace(/^#\/?/, '');
  return PAGES.find((p) => p.id === id) ?? PAGES[0];
}

function SignIn({ onIn }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      const s = await api.post('login', { user, password });
      onIn(s);
    } catch (err) {
      setMsg({ kind: 'error', text: err.status === 401 ? 'نام کاربری یا گذرواژه نادرست است.' : err.status === 429 ? 'تلاش‌های ناموفق زیاد بود؛ ده دقیقه بعد دوباره امتحان کنید.' : err.message });
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <h1>کنسول مرکز تماس ۱۶۹۹</h1>
    <form onSubmit=${submit} data-test="signin">
      <label>نام کاربری <input name="user" autocomplete="username" value=${user} onInput=${(e) => setUser(e.target.value)} required dir="ltr" /></label>
      <label>گذرواژه <input name="password" type="password" autocomplete="current-password" value=${password} onInput=${(e) => setPassword(e.target.value)} required dir="ltr" /></label>
      <button type="submit" disabled=${busy}>ورود</button>
      <${Message} msg=${msg} />
    </form>
  </main>`;
}

function App() {
  const [session, setSession] = useState(undefined);
  const [page, setPage] = useState(currentPage());
  const [msg, setMsg] = useState(null);
  useEffect(() => {
    api
      .get('session')
      .then((s) => {
        setCsrf(s.csrf);
        setSession(s);
      })
      .catch(() => setSession(null));
    const onHash = () => setPage(currentPage());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  if (session === undefined) return html`<p class="loading">…</p>`;
  if (session === null)
    return html`<${SignIn}
      onIn=${(s) => {
        setCsrf(s.csrf);
        setSession(s);
      }}
    />`;
  const signOut = async () => {
    try {
      await api.post('logout');
      setCsrf('');
      setSession(null);
    } catch (e) {
      setMsg(errorMsg(e));
    }
  };
  const Page = page.page;
  return html`<div class="shell">
    <header>
      <strong class="brand">۱۶۹۹</strong>
      <nav>
        ${PAGES.map((p) => html`<a href=${`#/${p.id}`} class=${p.id === page.id ? 'active' : ''} data-test=${`nav-${p.id}`}>${p.title}</a>`)}
      </nav>
      <span class="who" data-test="who">${session.name}</span>
      <button class="link" onClick=${signOut} data-test="signout">خروج</button>
    </header>
    <${Message} msg=${msg} />
    <main><${Page} session=${session} /></main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
