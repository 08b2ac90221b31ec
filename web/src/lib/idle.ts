// Work that can wait until the browser is idle after the first screen painted (at most a second and a half).
export function afterFirstPaint(work: () => void): void {
  if ('requestIdleCallback' in window) window.requestIdleCallback(work, { timeout: 1500 });
  else setTimeout(work, 200);
}
