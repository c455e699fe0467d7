// Administration of officials: admin only.
import { Router } from 'express';
import { wardError } from '../../sync/errors.js';
import { parseInput } from '../../sync/validation.js';
import type { Sessions } from '../sessions.js';
import { NewUser, UserPatch, Username, type Users } from '../users.js';
import { actorOf, requireRole } from './context.js';
import { publicUser } from './auth-routes.js';

export function userRouter(users: Users, sessions: Sessions): Router {
  const router = Router();
  // Who a document can be handed to: the leader assigning picks a person, not a typed username.
  router.get('/handlers', requireRole('leader', 'clerk'), async (_req, res) => {
    const items = (await users.list()).filter((u) => u.active && u.role !== 'admin')
      .map((u) => ({ username: u.username, fullName: u.fullName, title: u.title, role: u.role }));
    res.json({ items });
  });
  router.use('/users', requireRole('admin'));
  router.get('/users', async (_req, res) => { res.json({ items: (await users.list()).map(publicUser) }); });
  router.post('/users', async (req, res) => {
    const input = parseInput(NewUser, req.body);
    if (!input.ok) throw input.error;
    const created = await users.create(actorOf(req, res), input.value);
    res.status(201).json(publicUser(created));
  });
  router.patch('/users/:username', async (req, res) => {
    const name = parseInput(Username, req.params['username']);
    if (!name.ok) throw wardError('user_not_found');
    const input = parseInput(UserPatch, req.body);
    if (!input.ok) throw input.error;
    const updated = await users.update(actorOf(req, res), name.value, input.value);
    if (input.value.active === false || input.value.role) await sessions.destroyAllFor(name.value);
    res.json(publicUser(updated));
  });
  router.post('/users/:username/reset-password', async (req, res) => {
    const name = parseInput(Username, req.params['username']);
    if (!name.ok) throw wardError('user_not_found');
    const password = await users.resetPassword(actorOf(req, res), name.value);
    await sessions.destroyAllFor(name.value);
    // Shown once to the admin, who hands it over in person; never stored in clear.
    res.json({ username: name.value, oneTimePassword: password });
  });
  return router;
}
