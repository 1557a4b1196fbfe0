/**
 * The data side in one import: the embedded store, order data, requests and their outbox, the
 * failed-lookup counters, the bounced-cheque spreadsheet watcher and the settings.
 */
import { existsSync } from 'node:fs';
import type { Logger } from '../log/logger.ts';
import type { StoreSettings } from './config.ts';
import { DEMO_DATA_PATH, openStore, type IvrStore } from './db.ts';

export { openStore, DEFAULT_DB_PATH, DEMO_DATA_PATH, PROJECT_ROOT, SCHEMA_VERSION, type IvrStore, type OpenStoreOptions } from './db.ts';
export { importDataFile, importDataContent, validateDataFile, DataFileError, type ImportMode, type ImportOptions, type ImportResult } from './import.ts';
export { EmbeddedOrderData } from './order-data.ts';
export { SqliteRequestRegistry, formatRequestNumber, parseRequestNumber, type StoredRequest, type RegistryOptions } from './requests.ts';
export { RequestOutbox, PermanentDeliveryError, type QuantumRequestSink, type OutboxOptions, type OutboxRound } from './outbox.ts';
export { FailedLookups, type FailedLookupOptions } from './lookups.ts';
export { ChequesWatcher, readChequesXlsx, parseChequeRows, HEADERS as CHEQUE_HEADERS, ChequesFileError, type ChequesLoad, type ChequesWatcherOptions } from './cheques-xlsx.ts';
export { CallRecordStore, type CallRecordStoreOptions, type RecordRange } from './call-records.ts';
export { readDataSettings, RecordsSettings, DataSettings, StoreSettings, ChequesSettings, QuantumSettings, SmsSettings, OutboxSettings, LookupLimitSettings, SettingsError, ENV_NAMES } from './config.ts';

/**
 * Opens the store the settings name; when it holds no order data yet and `seedDemo` is on, it is
 * seeded from data/demo.json (a fresh clone works out of the box).
 */
export function openConfiguredStore(s: StoreSettings, logger?: Logger): IvrStore {
  const seed = s.seedDemo && s.dbPath !== ':memory:' && existsSync(DEMO_DATA_PATH) ? DEMO_DATA_PATH : undefined;
  return openStore(s.dbPath, {
    synchronous: s.synchronous,
    ...(seed ? { seedIfEmpty: seed } : {}),
    ...(logger ? { logger } : {}),
  });
}
