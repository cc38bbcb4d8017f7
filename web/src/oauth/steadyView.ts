/**
 * A guard against double-clickjacking on the consent page: a hostile page can open the
 * authorization URL in a window under the person's pointer between the two clicks of a
 * double-click, so the second click lands on Allow before they have seen what it allows. Allow
 * works only once the page has stayed in view for a moment; the clock starts again whenever the
 * page is hidden, shown, blurred or focused, and whenever the caller says the buttons appeared.
 */

/** How long the page must stay in view before Allow works. */
export const STEADY_MS = 800;

interface Events {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface ViewTarget {
  window: Events;
  document: Events & { visibilityState: string };
}

export interface SteadyView {
  /** Starts the clock again (the buttons just appeared). */
  restart(): void;
  stop(): void;
}

/** Tells `onChange` whether the page has been steadily in view for `ms`. */
export function steadyView(target: ViewTarget, onChange: (steady: boolean) => void, ms = STEADY_MS): SteadyView {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const restart = () => {
    clearTimeout(timer);
    onChange(false);
    if (target.document.visibilityState === 'visible') timer = setTimeout(() => onChange(true), ms);
  };
  const windowEvents = ['blur', 'focus', 'pageshow'];
  for (const type of windowEvents) target.window.addEventListener(type, restart);
  target.document.addEventListener('visibilitychange', restart);
  restart();
  return {
    restart,
    stop() {
      clearTimeout(timer);
      for (const type of windowEvents) target.window.removeEventListener(type, restart);
      target.document.removeEventListener('visibilitychange', restart);
    },
  };
}
