// App updates without lost work. The service worker (Workbox, registerType
// "prompt") installs a new version in the background and leaves it waiting;
// we announce it ("Có phiên bản mới") and apply it when the user clicks, or
// at the next start. Before switching, 'wd-before-update' lets the editor
// write its draft to the device synchronously, so the reload loses nothing.
import { registerSW } from 'virtual:pwa-register';

let apply: ((reload?: boolean) => Promise<void>) | null = null;
let waiting = false;

export const updateWaiting = () => waiting;

export function startUpdates(): void {
  if (!('serviceWorker' in navigator)) return;
  const startedAt = performance.now();
  apply = registerSW({
    immediate: true,
    onNeedRefresh() {
      waiting = true;
      // Found while the page is still starting: nothing typed yet, switch now ("at the next start").
      if (performance.now() - startedAt < 1500 && !document.querySelector('wd-app')?.hasAttribute('data-busy')) { void applyUpdate(); return; }
      window.dispatchEvent(new CustomEvent('wd-update'));
    },
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      // A version that waited since the last session is applied at this start.
      if (registration.waiting && navigator.serviceWorker.controller) { waiting = true; void applyUpdate(); return; }
      const check = () => { void registration.update().catch(() => undefined); };
      setInterval(check, 30 * 60_000);
      document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
    },
  });
}

/** Saves drafts, then activates the waiting version and reloads. */
export async function applyUpdate(): Promise<void> {
  window.dispatchEvent(new CustomEvent('wd-before-update'));
  if (apply) await apply(true);
}
