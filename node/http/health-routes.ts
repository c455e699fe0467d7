// GET /api/health. Anyone on the LAN may ask whether the node is alive, so the
// anonymous answer says nothing about the ward (its code, how many documents).
// An administrator's session (cookie) gets the admin-only part: how full the
// data disk is, with a warning in both languages from 90 %, and whether
// writes are refused for a full disk right now, so a monitoring page or the
// PWA's admin screen can warn before the ward stops saving.
import { Router, type Request } from 'express';
import type { DiskUsage } from '../store.js';
import type { Projection } from '../projection.js';
import type { SnapshotProblem } from '../projection-snapshot.js';
import type { Sessions } from '../sessions.js';
import type { Users } from '../users.js';
import { SESSION_COOKIE } from './context.js';

export type DiskReport = DiskUsage & { message?: { vi: string; en: string } };

/** How full the data disk is, with the warning text from 90 %. */
export function diskReport(disk: DiskUsage): DiskReport {
  if (!disk.warning) return disk;
  const free = `${(disk.freeBytes / 2 ** 20).toFixed(0)} MB`;
  return { ...disk, message: {
    vi: `Ổ đĩa dữ liệu của máy chủ phường đã dùng ${disk.usedPercent} % (còn ${free}). Hãy giải phóng dung lượng hoặc thêm ổ đĩa trước khi đầy: khi đầy, không lưu được thay đổi nào.`,
    en: `The ward node's data disk is ${disk.usedPercent} % full (${free} free). Free some space or add a disk before it fills up: when full, no change can be saved.`,
  } };
}

/** How the document view was built at boot; a damaged snapshot is said in both languages (the node rebuilt it from the store). */
export interface ViewReport { source: 'snapshot' | 'store'; rebuilding: boolean; snapshotProblem: SnapshotProblem | null; documents: number; message?: { vi: string; en: string } }

export function viewReport(projection: Projection): ViewReport {
  const r = projection.report;
  const problem = r?.snapshotProblem ?? null;
  const report: ViewReport = { source: r?.fromSnapshot ? 'snapshot' : 'store', rebuilding: projection.rebuilding, snapshotProblem: problem, documents: projection.size };
  if (problem === 'corrupt' || problem === 'ahead_of_store') report.message = {
    vi: 'Tệp chỉ mục văn bản của máy chủ bị hỏng hoặc không khớp với kho dữ liệu nên đã được dựng lại từ kho. Không mất dữ liệu; nếu lặp lại, hãy kiểm tra ổ đĩa.',
    en: 'The node\'s document index file was damaged or did not match the store, so it was rebuilt from the store. No data was lost; if this happens again, check the disk.',
  };
  return report;
}

export interface HealthDeps { sessions: Sessions; users: Users; disk: () => DiskUsage; diskFull: () => boolean; projection: Projection }

export function healthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/health', async (req, res) => {
    const admin = await isAdmin(req, deps).catch(() => false);
    if (!admin) { res.json({ ok: true }); return; }
    res.json({ ok: true, disk: diskReport(deps.disk()), writesRefusedDiskFull: deps.diskFull(), view: viewReport(deps.projection) });
  });
  return router;
}

/** An active admin's live session, past its one-time password. Any doubt answers the anonymous part. */
async function isAdmin(req: Request, deps: HealthDeps): Promise<boolean> {
  const token = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  const session = await deps.sessions.lookup(token);
  if (!session || session.mustChange) return false;
  const user = await deps.users.get(session.username);
  return !!user && user.active && user.role === 'admin';
}
