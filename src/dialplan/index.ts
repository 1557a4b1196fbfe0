/** Asterisk configuration: parser, dialplan model, and the consistency check of dialplan/. */
export * from './config-parser.ts';
export * from './dialplan.ts';
export * from './check.ts';
