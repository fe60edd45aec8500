/** Runs `callback` once, soon; returns a function that cancels it. */
export type FrameRequest = (callback: () => void) => () => void;

/** How long a hidden page waits between notifications (browsers throttle its timers to ~1 s anyway). */
const HIDDEN_DELAY_MS = 1000;
/** A visible page whose frame never comes (the tab was hidden right after asking) still gets notified. */
const FRAME_FALLBACK_MS = 1000;

/**
 * Notifications ride the next animation frame, so a burst of frames costs one render.
 * A hidden page gets no animation frames at all; a timer keeps its listeners current,
 * and the store flushes at once when the page is shown again.
 */
export const animationFrame: FrameRequest = (callback) => {
  let done = false;
  let frame: number | undefined;
  const cancel = () => {
    done = true;
    clearTimeout(timer);
    if (frame !== undefined) cancelAnimationFrame(frame);
  };
  const run = () => {
    if (done) return;
    cancel();
    callback();
  };
  const visible = typeof document === 'undefined' || document.visibilityState !== 'hidden';
  if (visible && typeof requestAnimationFrame === 'function') frame = requestAnimationFrame(run);
  const timer = setTimeout(run, visible ? FRAME_FALLBACK_MS : HIDDEN_DELAY_MS);
  return cancel;
};
