// Entry point: the shell component and the service worker's update flow.
import './components/wd-app.js';
import { currentLang } from './i18n.js';
import { startUpdates } from './update.js';

document.documentElement.lang = currentLang();
startUpdates();
// Ask the browser to keep our storage (drafts, working set) under pressure.
void navigator.storage?.persist?.().catch(() => false);
