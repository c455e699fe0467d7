// Preloaded into a child process (`--import`): prints the process's peak
// resident memory at exit, for tests and benches that bound memory. Also the
// peaks of its two parts, sampled from /proc every 20 ms: anonymous memory
// (heap, buffers) and file-backed pages (the executable, memory-mapped
// LevelDB tables: page cache the kernel can take back).
import { readFileSync } from 'node:fs';

let anonKb = 0;
let fileKb = 0;
const sample = () => {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    anonKb = Math.max(anonKb, Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0));
    fileKb = Math.max(fileKb, Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0));
  } catch { /* no /proc: the total below is still right */ }
};
setInterval(sample, 20).unref();
process.on('exit', () => {
  sample();
  process.stderr.write(`max_rss_kb ${process.resourceUsage().maxRSS} anon_kb ${anonKb} file_kb ${fileKb}\n`);
});
