/**
 * Double-clickjacking the consent page: a hostile page opens the authorization URL under the
 * person's pointer between the two clicks of a double-click. The page's Allow works only once it
 * has stayed in view for STEADY_MS (web/src/oauth/steadyView.ts): a click that lands sooner, or
 * right after the page was hidden, shown, blurred or focused, does nothing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STEADY_MS, steadyView } from '../../../web/src/oauth/steadyView.ts';

class FakeDocument extends EventTarget {
  visibilityState = 'visible';
}

let win: EventTarget;
let doc: FakeDocument;
let steady: boolean[];
beforeEach(() => {
  vi.useFakeTimers();
  win = new EventTarget();
  doc = new FakeDocument();
  steady = [];
});
afterEach(() => {
  vi.useRealTimers();
});

const now = () => steady.at(-1);

describe('the consent page under a double-click', () => {
  it('keeps Allow off for the first moments the page is in view, then turns it on', () => {
    const view = steadyView({ window: win, document: doc }, (value) => steady.push(value));
    expect(now()).toBe(false);
    vi.advanceTimersByTime(STEADY_MS - 1);
    expect(now()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(now()).toBe(true);
    view.stop();
  });

  it('starts again when the page is hidden, shown, blurred or focused, or its buttons appear', () => {
    const view = steadyView({ window: win, document: doc }, (value) => steady.push(value));
    for (const poke of [
      () => win.dispatchEvent(new Event('focus')),
      () => win.dispatchEvent(new Event('blur')),
      () => win.dispatchEvent(new Event('pageshow')),
      () => doc.dispatchEvent(new Event('visibilitychange')),
      () => view.restart(),
    ]) {
      vi.advanceTimersByTime(STEADY_MS);
      expect(now()).toBe(true);
      poke();
      expect(now()).toBe(false);
      vi.advanceTimersByTime(STEADY_MS / 2);
      expect(now()).toBe(false);
    }
    view.stop();
  });

  it('never turns Allow on while the page is hidden, and stops listening once stopped', () => {
    doc.visibilityState = 'hidden';
    const view = steadyView({ window: win, document: doc }, (value) => steady.push(value));
    vi.advanceTimersByTime(STEADY_MS * 10);
    expect(steady).toEqual([false]);
    view.stop();
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    vi.advanceTimersByTime(STEADY_MS * 10);
    expect(steady).toEqual([false]);
  });
});
