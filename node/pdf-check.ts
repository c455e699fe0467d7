// Opens an uploaded PDF with Mozilla's pdf.js in a worker thread: a hostile
// file costs that thread, not the node's event loop, is bounded in memory and
// time, and pdf.js (2 MB of JavaScript) loads once, outside the main thread,
// at the first PDF checked (not at boot: a node's start stays as fast as it was).
// The worker runs plain JavaScript with no loader hooks of the parent (execArgv
// is empty), so it starts the same under tsx in tests as in production.
import { Worker } from 'node:worker_threads';

/** Time one file may take; a file that holds the worker longer is refused and the worker replaced. */
const CHECK_TIMEOUT_MS = 60_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let lib = null;
parentPort.on('message', async ({ id, bytes }) => {
  let pages = 0;
  try {
    lib ??= import(workerData.pdfjs).then(async (m) => { globalThis.pdfjsWorker = await import(workerData.worker); return m; });
    const { getDocument } = await lib;
    const task = getDocument({ data: bytes, verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: true });
    try { pages = (await task.promise).numPages; } finally { await task.destroy().catch(() => undefined); }
  } catch { pages = 0; }
  parentPort.postMessage({ id, pages });
});`;

interface Pending { resolve(pages: number): void; timer: NodeJS.Timeout }

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function start(): Worker {
  const w = new Worker(WORKER_SOURCE, {
    eval: true, execArgv: [], env: {},
    workerData: { pdfjs: import.meta.resolve('pdfjs-dist/legacy/build/pdf.mjs'), worker: import.meta.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs') },
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  w.on('message', ({ id, pages }: { id: number; pages: number }) => {
    const p = pending.get(id);
    if (p) { clearTimeout(p.timer); pending.delete(id); p.resolve(pages); }
    if (pending.size === 0) w.unref();
  });
  // A crash (out of memory on a hostile file) fails what it was doing; the next check starts a new worker.
  const fail = () => { if (worker === w) worker = null; for (const [id, p] of pending) { clearTimeout(p.timer); pending.delete(id); p.resolve(0); } };
  w.on('error', fail);
  w.on('exit', fail);
  // Idle, the worker keeps nothing alive; a check in flight does (set after the listeners, which ref its port).
  w.unref();
  return w;
}

/** How many pages pdf.js finds in `bytes`; 0 when it cannot open them as a PDF. */
export function pdfPages(bytes: Buffer): Promise<number> {
  worker ??= start();
  const w = worker;
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { pending.delete(id); resolve(0); void w.terminate(); }, CHECK_TIMEOUT_MS);
    timer.unref();
    pending.set(id, { resolve, timer });
    w.ref();
    // A copy: the caller keeps its bytes (they are stored once the check passes).
    w.postMessage({ id, bytes: new Uint8Array(bytes) });
  });
}
