import { describe, expect, it } from 'vitest';
import { DEFAULT_DB_PATH } from '../../src/store/db.ts';
import { readDataSettings, SettingsError } from '../../src/store/config.ts';

describe('data settings from the environment', () => {
  it('has defaults for everything', () => {
    const s = readDataSettings({});
    expect(s.store).toEqual({ dbPath: DEFAULT_DB_PATH, synchronous: 'full', requestPrefix: 'R', seedDemo: true, writeWaitMs: 2000 });
    expect(s.cheques).toEqual({ cron: '*/10 * * * *' });
    expect(s.quantum).toEqual({ timeoutMs: 2000, retries: 2, retryBackoffMs: 200, breakerFailures: 5, breakerOpenMs: 30000 });
    expect(s.sms).toEqual({ maxParts: 5, timeoutMs: 5000, reconcileCron: '*/5 * * * *' });
    expect(s.outbox.maxAttempts).toBe(12);
    expect(s.lookupLimit).toEqual({ maxFailures: 5, windowMinutes: 60 });
    expect(DEFAULT_DB_PATH.endsWith('var/ivr-1699.sqlite')).toBe(true);
  });

  it('reads the documented variables', () => {
    const s = readDataSettings({
      IVR_DB: '/srv/ivr.sqlite',
      IVR_CHEQUES_XLSX: '/srv/finance/cheques.xlsx',
      IVR_CHEQUES_CRON: '*/5 * * * *',
      QUANTUM_URL: 'https://quantum.example/api/v1',
      QUANTUM_TOKEN: 's3cret',
      QUANTUM_TIMEOUT_MS: '1500',
      SMS_GATEWAY_URL: 'https://api.kavenegar.com',
      SMS_API_KEY: 'key',
      SMS_SENDER: '10004346',
      SMS_MAX_PARTS: '3',
      SMS_RECONCILE_CRON: '*/15 * * * *',
      IVR_SEED_DEMO: 'no',
      IVR_REQUEST_PREFIX: 'T',
    });
    expect(s.store).toMatchObject({ dbPath: '/srv/ivr.sqlite', seedDemo: false, requestPrefix: 'T' });
    expect(s.cheques).toEqual({ xlsxPath: '/srv/finance/cheques.xlsx', cron: '*/5 * * * *' });
    expect(s.quantum).toMatchObject({ url: 'https://quantum.example/api/v1', token: 's3cret', timeoutMs: 1500 });
    expect(s.sms).toMatchObject({ gatewayUrl: 'https://api.kavenegar.com', apiKey: 'key', sender: '10004346', maxParts: 3, reconcileCron: '*/15 * * * *' });
  });

  it('names each bad variable, its value (secrets hidden) and the fix', () => {
    let err: SettingsError | undefined;
    try {
      readDataSettings({ QUANTUM_TIMEOUT_MS: 'soon', IVR_SEED_DEMO: 'maybe' });
    } catch (e) {
      err = e as SettingsError;
    }
    expect(err?.problems).toEqual(['IVR_SEED_DEMO: must be true or false (got "maybe")', 'QUANTUM_TIMEOUT_MS: must be a whole number (got "soon")']);
    try {
      readDataSettings({ QUANTUM_URL: 'quantum', IVR_CHEQUES_CRON: 'hourly', SMS_MAX_PARTS: '40', SMS_RECONCILE_CRON: 'every 5 minutes' });
    } catch (e) {
      err = e as SettingsError;
    }
    expect(err?.problems).toEqual([
      'IVR_CHEQUES_CRON: must be a cron expression such as "*/10 * * * *" (every 10 minutes) (got "hourly")',
      'QUANTUM_URL: must be an http(s) URL such as https://quantum.example/api/v1 (got "quantum")',
      'SMS_MAX_PARTS: must be a whole number from 1 to 10 (got "40")',
      'SMS_RECONCILE_CRON: must be a cron expression such as "*/5 * * * *" (every 5 minutes) (got "every 5 minutes")',
    ]);
    try {
      readDataSettings({ SMS_GATEWAY_URL: 'https://sms.example' });
    } catch (e) {
      err = e as SettingsError;
    }
    expect(err?.problems).toEqual(['SMS_API_KEY: is required when SMS_GATEWAY_URL is set', 'SMS_SENDER: is required when SMS_GATEWAY_URL is set']);
  });
});
