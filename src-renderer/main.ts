import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { createLabClient } from './api/client.ts';
import App from './App.vue';
import { followSystemLocale, i18n, tr } from './i18n.ts';
import { startLab } from './stores/lab.ts';
import { useUiStore } from './stores/ui.ts';
import './styles/theme.css';

const app = createApp(App);
app.use(createPinia());
app.use(i18n);
app.mount('#app');

const client = createLabClient();
startLab(client).catch((e: unknown) => {
  useUiStore().report(e, tr('toasts.labDidNotStart'));
});
// the desktop shell knows the system's language better than the page does (navigator.languages)
client.appInfo({}).then((info) => followSystemLocale(info.locale ?? null), () => {
  // startLab's failure already says the lab cannot be reached
});
