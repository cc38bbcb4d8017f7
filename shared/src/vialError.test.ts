import { describe, expect, it } from 'vitest';
import { composeMessage, isErrorDescription, VialError } from './vialError.ts';

class ParseError extends VialError {
  override name = 'ParseError';
}

describe('VialError', () => {
  it('puts the short message, the details and each hint one per line', () => {
    const error = new ParseError('unknown gate `cz2`', {
      details: 'line 4, col 7',
      hints: ['known gates: h, x, cz', 'or define it with `gate`'],
    });
    expect(error.message).toBe('unknown gate `cz2`\nline 4, col 7\nknown gates: h, x, cz\nor define it with `gate`');
    expect(error).toMatchObject({ name: 'ParseError', shortMessage: 'unknown gate `cz2`', details: 'line 4, col 7' });
    expect(new VialError('only this').message).toBe('only this');
    expect(new VialError('no details', { hints: ['try this'] }).message).toBe('no details\ntry this');
    expect(composeMessage('a', '', ['b'])).toBe('a\nb');
  });

  it('keeps a message an error words its own way, and its cause', () => {
    const cause = new Error('underneath');
    const error = new VialError('offline', { hints: ['open the tab'], message: 'offline. open the tab', cause });
    expect(error.message).toBe('offline. open the tab');
    expect(error.hints).toEqual(['open the tab']);
    expect(error.cause).toBe(cause);
  });

  it('survives a structured clone as plain data and is recognised after it', () => {
    const error = new ParseError('bad input', {
      details: 'at 3',
      hints: ['send a number'],
      message: 'bad input at 3; send a number',
    });
    const cloned: unknown = structuredClone(error.toJSON());
    expect(isErrorDescription(cloned)).toBe(true);
    const revived = VialError.fromJSON(cloned as ReturnType<VialError['toJSON']>);
    expect(revived).toBeInstanceOf(VialError);
    expect(revived).toMatchObject({
      name: 'ParseError',
      message: 'bad input at 3; send a number',
      shortMessage: 'bad input',
      details: 'at 3',
      hints: ['send a number'],
    });
    expect(revived.toJSON()).toEqual(error.toJSON());
  });

  it('goes through JSON as its description (no details when there are none)', () => {
    const error = new VialError('refused', { hints: ['retry later'] });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'VialError',
      message: 'refused\nretry later',
      shortMessage: 'refused',
      hints: ['retry later'],
    });
  });

  it('tells its description from other data', () => {
    // What a plain Error keeps through a Worker boundary is not a description.
    expect(isErrorDescription({ name: 'Error', message: 'x', stack: '' })).toBe(false);
    expect(isErrorDescription(structuredClone(new Error('x')))).toBe(false);
    expect(isErrorDescription({ name: 'E', message: 'x', shortMessage: 'x', hints: [1] })).toBe(false);
    expect(isErrorDescription({ name: 'E', message: 'x', shortMessage: 'x', details: 2, hints: [] })).toBe(false);
    expect(isErrorDescription(null)).toBe(false);
    expect(isErrorDescription('E')).toBe(false);
  });
});
