/**
 * The web console in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * sign-in (a wrong password refused), a change without the CSRF token refused, a prompt played
 * (the audio element reports its duration), a recording uploaded and the old one restored, a
 * test-phone call that registers a request, seen in live calls while it runs and in the requests
 * after. Screenshots of each page go to $CONSOLE_SCREENSHOTS (docs/console for the README) or a
 * temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AriClient } from '../../src/ari/client.ts';
import { parseKeys } from '../../src/caller/keys.ts';
import { TestCall } from '../../src/caller/test-caller.ts';
import { SOUND_FOLDER } from '../../src/speech/compose.ts';
import { DEMO_NOW, memoryLogger } from '../integration/harness.ts';
import { ROOT, hasSox, tone, wavBytes } from '../speech/helpers.ts';
import { PASSWORD, USER, startConsoleStack, type ConsoleStack } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const shots = process.env.CONSOLE_SCREENSHOTS ? resolve(process.env.CONSOLE_SCREENSHOTS) : mkdtempSync(join(tmpdir(), 'ivr-1699-shots-'));

describe.skipIf(!hasChromium)(`web console in headless Chromium (needs ${CHROMIUM}: Debian package chromium)`, () => {
  let cs: ConsoleStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-console.mjs')], { stdio: 'ignore' });
    mkdirSync(shots, { recursive: true });
    const { chromium } = await import('playwright-core');
    [cs, browser] = await Promise.all([
      startConsoleStack({ timeScale: 0.2, now: DEMO_NOW }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--autoplay-policy=no-user-gesture-required', '--mute-audio'] }),
    ]);
    context = await browser.newContext({ viewport: { width: 1200, height: 760 }, locale: 'fa-IR', timezoneId: 'Asia/Tehran' });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cs?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

  it('refuses a wrong password, then signs in', async () => {
    await page.goto(`${cs.base}/console`);
    await expect.poll(() => page.getAttribute('html', 'dir')).toBe('rtl');
    await page.fill('input[name=user]', USER);
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-test=message]');
    expect(await page.textContent('[data-test=message]')).toContain('نادرست');
    await shot('sign-in');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-test=who]');
    expect(await page.textContent('[data-test=who]')).toBe('مدیر آزمایشی');
  });

  it('refuses a change that does not carry the CSRF token', async () => {
    const r = await page.evaluate(async () => {
      const res = await fetch('/console/api/prompts/restore', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'welcome' }) });
      return { status: res.status, body: (await res.json()) as { message: string } };
    });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/CSRF/);
  });

  it('lists the prompts and plays one (the audio element reports a duration)', async () => {
    await page.click('[data-test=nav-prompts]');
    await page.waitForSelector('[data-test=prompt-welcome]');
    // Persian digits on screen
    expect(await page.textContent('[data-test=prompt-welcome] [data-test=length]')).toMatch(/^[۰-۹]+:[۰-۹]{2}/);
    await shot('prompts');
    await page.fill('[data-test=filter]', 'welcome');
    await page.click('[data-test=prompt-welcome] [data-test=play]');
    const audio = page.locator('[data-test=prompt-welcome] audio');
    await expect.poll(() => audio.evaluate((a) => (a as unknown as { duration: number }).duration), { timeout: 10_000 }).toBeGreaterThan(1);
  });

  it.skipIf(!hasSox)('uploads a recording (checked, converted), then restores the previous version', async () => {
    await page.fill('[data-test=filter]', 'thank-you');
    const row = page.locator('[data-test=prompt-thank-you]');
    const stateBefore = await row.locator('[data-test=state]').textContent();
    expect(stateBefore).toContain('پیش‌نویس');
    await row.locator('[data-test=upload]').setInputFiles({ name: 'studio.wav', mimeType: 'audio/wav', buffer: wavBytes(tone(1.2, 16000, 0.4), 16000) });
    await expect.poll(() => row.locator('[data-test=state]').textContent(), { timeout: 20_000 }).toBe('ضبط شده');
    expect(await page.textContent('[data-test=message]')).toContain('انجام شد');
    await row.locator('[data-test=restore]').click();
    await expect.poll(() => row.locator('[data-test=state]').textContent(), { timeout: 20_000 }).toBe(stateBefore);
  });

  it('places a test-phone call that registers a request; it shows in live calls while it runs and in the requests after', async () => {
    const live = await context.newPage();
    await live.goto(`${cs.base}/console#/live`);
    await live.waitForSelector('[data-test=live-count]');

    await page.click('[data-test=nav-phone]');
    await page.click('[data-test=dial]');
    const node = page.locator('[data-test=node]');
    await expect.poll(() => node.textContent(), { timeout: 20_000 }).toBe('main-menu');
    // the other tab sees the call in the IVR, at the same node, without a reload
    await expect.poll(() => live.locator('[data-test=live-node]').first().textContent(), { timeout: 10_000 }).toBe('main-menu');
    await live.screenshot({ path: join(shots, 'live-calls.png') });

    const send = async (keys: string, next: string) => {
      await page.fill('[data-test=typed-keys]', keys);
      await page.click('[data-test=send-keys]');
      await expect.poll(() => node.textContent(), { timeout: 20_000 }).toBe(next);
    };
    await send('3', 'menu-after');
    await send('4', 'national-id');
    await send('0499370899#', 'order-number');
    await send('1403001234#', 'question-refund-wallet');
    await page.click('[data-test=key-1]');
    await page.waitForSelector('[data-test=outcome]', { timeout: 30_000 });
    expect(await page.textContent('[data-test=outcome]')).toContain('پایان تماس توسط سامانه');
    const request = await page.textContent('[data-test=request]');
    const number = /R-\d{6}/.exec(request ?? '')?.[0];
    expect(number).toBeDefined();
    expect(await page.textContent('[data-test=vars]')).toContain('IVR_RULEA6');
    expect(await page.textContent('[data-test=transcript]')).toContain('request-registered');
    await shot('test-phone');

    // gone from live calls once it ended
    await expect.poll(() => live.locator('[data-test=live-call]').count(), { timeout: 10_000 }).toBe(0);
    await live.close();

    await page.click('[data-test=nav-requests]');
    await page.waitForSelector('[data-test=request-row]');
    expect(await page.textContent('[data-test=requests]')).toContain(number!);
    await shot('requests');
  });

  it('reports the call just made (self-service rate per day, transfers, funnel) for a Jalali date range, with CSV download', async () => {
    // two more calls, scripted (the test caller of `ivr-1699 call`): to an agent, and product advice
    const client = await AriClient.connect({ url: cs.stack.ariUrl, username: 'asterisk', password: 'asterisk', app: 'console-report-calls', logger: memoryLogger('warn').logger });
    const scripted = (keys: string) =>
      new TestCall(client, { app: 'console-report-calls', context: 'ivr-inbound', extension: '1699', callerId: '09121234567', keys: parseKeys(keys), agentsContext: 'agents', mediaPrefix: SOUND_FOLDER, timeoutMs: 30_000 }).start();
    const ends = await Promise.all([scripted('0'), scripted('1 2')]);
    await client.close();
    expect(ends.map((e) => e.outcome)).toEqual([
      { kind: 'transfer', skill: 'general' },
      { kind: 'transfer', skill: 'product-advice' },
    ]);
    await page.click('[data-test=nav-reports]');
    await page.waitForSelector('[data-test=figures]');
    // the default range is the last 7 days, typed as Jalali dates in Persian digits
    expect(await page.inputValue('[data-test=from]')).toMatch(/^[۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2}$/);
    expect(await page.textContent('[data-test=calls]')).toBe('۳');
    expect(await page.textContent('[data-test=self-service]')).toMatch(/۳۳/);
    expect(await page.textContent('[data-test=transfers]')).toContain('product-advice');
    expect(await page.textContent('[data-test=nodes]')).toContain('question-refund-wallet');
    await page.screenshot({ path: join(shots, 'reports.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=csv]')]);
    const csv = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((st) => {
        const parts: Buffer[] = [];
        st.on('data', (c: Buffer) => parts.push(c));
        st.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        st.on('error', reject);
      }, reject);
    });
    expect(download.suggestedFilename()).toMatch(/^ivr-1699-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.split('\n')[0]).toBe('section,key,metric,value');
    // a range with no calls: nothing counted; a wrong date: a Persian message, nothing asked
    await page.fill('[data-test=from]', '۱۴۰۰/۰۱/۰۱');
    await page.fill('[data-test=to]', '۱۴۰۰/۰۱/۰۲');
    await page.click('[data-test=show-report]');
    await expect.poll(() => page.textContent('[data-test=calls]')).toBe('۰');
    await page.fill('[data-test=to]', '۱۴۰۰/۱۳/۰۱');
    await page.click('[data-test=show-report]');
    expect(await page.textContent('[data-test=message]')).toContain('وجود ندارد');
  });

  it('shows the effective settings, read-only, naming the file to edit, and the audit trail', async () => {
    await page.click('[data-test=nav-settings]');
    await page.waitForSelector('[data-test=timeouts]');
    expect(await page.textContent('[data-test=config-file]')).toContain('config/ivr-1699.yaml');
    expect(await page.textContent('[data-test=timeouts]')).toContain('menuMs');
    await expect.poll(() => page.locator('[data-test=audit] tbody tr').count()).toBeGreaterThan(3);
    await shot('settings');
  });
});

