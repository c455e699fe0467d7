import { readSnapshot } from './node/projection-snapshot.js';
import { SummaryTable } from './node/summary-table.js';
const { snapshot } = await readSnapshot('/tmp/m18b/ward/projection.snapshot');
const tab = SummaryTable.fromColumns(snapshot!.summaries);
const t0 = performance.now();
for (let i = 0; i < 3; i++) {
  const t = performance.now(); let n = 0;
  for (let r = 0; r < tab.rowCount; r++) n += tab.read(r).eventKeys.length;
  console.log('read all', (performance.now() - t).toFixed(0), n);
}
const t = performance.now(); let n = 0;
for (let r = 0; r < tab.rowCount; r++) n += tab.text(tab.shared.state[r]!)?.length ?? 0;
console.log('text only', (performance.now() - t).toFixed(0), n);
