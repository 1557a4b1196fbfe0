import { describe, expect, it } from 'vitest';
import { KeyScriptError, parseKeys } from '../../src/caller/keys.ts';

describe('--keys script', () => {
  it('parses DTMF groups, waits and hang-ups', () => {
    expect(parseKeys('3 4 0499370899# 1403001234# 1')).toEqual([
      { kind: 'dtmf', digits: '3' },
      { kind: 'dtmf', digits: '4' },
      { kind: 'dtmf', digits: '0499370899#' },
      { kind: 'dtmf', digits: '1403001234#' },
      { kind: 'dtmf', digits: '1' },
    ]);
    expect(parseKeys(' w  w h ')).toEqual([{ kind: 'wait' }, { kind: 'wait' }, { kind: 'hangup' }]);
    expect(parseKeys('*0#')).toEqual([{ kind: 'dtmf', digits: '*0#' }]);
    expect(parseKeys('')).toEqual([]);
  });
  it('rejects anything else with a clear message', () => {
    expect(() => parseKeys('1 x2')).toThrow(KeyScriptError);
    expect(() => parseKeys('1 x2')).toThrow(/group "x2"/);
    expect(() => parseKeys('wh')).toThrow(/"wh"/);
  });
});
