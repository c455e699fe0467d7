// Entry point of the city dashboard page.
import './hub-app.js';
import { currentLang } from '../../src/i18n.js';

document.documentElement.lang = currentLang();
