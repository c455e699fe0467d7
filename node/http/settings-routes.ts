// Ward settings for the admin: what the node runs with (identity, registers,
// the city link and its sync state) and the edits that are safe while it
// runs (node/ward-settings.ts). Never a credential: the city address goes
// without any user:password part and the credentials file only as "set".
import { Router } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CitySync } from '../city-sync.js';
import type { Config } from '../config.js';
import { ERRORS } from '../../sync/errors.js';
import { SEAL, type Signing } from '../signing.js';
import type { WardSettings } from '../ward-settings.js';
import { actorOf, requireRole } from './context.js';

/** The address without its user-info part (a URL may carry a password). */
export function publicUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch { return null; }
}

export function settingsRouter(o: { config: Config; settings: WardSettings; signing: Signing; citySync: CitySync }): Router {
  const router = Router();
  router.use('/settings', requireRole('admin'));

  const view = async () => ({
    ward: o.settings.current(),
    overridden: o.settings.overridden(),
    fromConfig: { agencyParent: o.config.ward.agencyParent, agencyName: o.config.ward.agencyName, place: o.config.ward.place },
    registers: o.config.registers,
    sealImage: existsSync(join(o.signing.keys.dir, `${SEAL}.png`)),
    seal: o.signing.sealStatus(),
    // What the admin must act on, shown by the PWA's settings page: after a rename, the seal certificate.
    notices: o.signing.sealStatus().stale ? [{ code: 'seal_reissue_required' as const, vi: ERRORS.seal_reissue_required.vi, en: ERRORS.seal_reissue_required.en }] : [],
    city: {
      url: publicUrl(o.config.city.url),
      credentials: Boolean(o.config.city.credentialsFile),
      intervalSeconds: o.config.city.intervalSeconds,
      sync: await o.citySync.status(),
    },
  });

  router.get('/settings', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await view());
  });

  router.patch('/settings', async (req, res) => {
    await o.settings.update(actorOf(req, res), req.body);
    res.set('Cache-Control', 'no-store');
    res.json(await view());
  });
  return router;
}
