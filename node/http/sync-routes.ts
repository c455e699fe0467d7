// City sync status and "sync now", for every logged-in official (the PWA shows it to all).
import { Router } from 'express';
import type { CitySync } from '../city-sync.js';

export function syncRouter(sync: CitySync): Router {
  const router = Router();
  router.get('/sync/status', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await sync.status());
  });
  // Waits for the run, then answers with the status it left: the caller sees what the city confirmed.
  router.post('/sync/now', async (_req, res) => {
    await sync.syncNow();
    res.set('Cache-Control', 'no-store');
    res.json(await sync.status());
  });
  return router;
}
