/** Runs `callback` once, soon; returns a function that cancels it. */
export type FrameRequest = (callback: () => void) => () => void;

/** How long a hidden page waits between notifications (browsers throttle its timers to ~1 s anyway). */
const HIDDEN_DELAY_MS = 1000;
/** A visible page whose frame never comes (the tab was hidden right after asking) still gets notified. */
const FRAME_FALLBACK_MS = 1000;

/**
 * Notifications ride the next animation frame, so a burst of frames costs one render.
 * A hidden page gets no animation frames at all; a timer keeps its listeners current,
 * and they hear at once when the page is shown again, before its first frame.
 */
export const animationFrame: FrameRequest = (callback) => {
  let done = false;
  let frame: number | undefined;
  const hidden = globalThis.document?.visibilityState === 'hidden';
  const cancel = () => {
    done = true;
    clearTimeout(timer);
    if (frame !== undefined) cancelAnimationFrame(frame);
    if (hidden) document.removeEventListener('visibilitychange', run);
  };
  const run = () => {
    if (done) return;
    cancel();
    callback();
  };
  if (hidden) document.addEventListener('visibilitychange', run);
  else if (typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(run);
  const timer = setTimeout(run, hidden ? HIDDEN_DELAY_MS : FRAME_FALLBACK_MS);
  return cancel;
};
