import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { createLabClient } from './api/client.ts';
import App from './App.vue';
import { startLab } from './stores/lab.ts';
import { useUiStore } from './stores/ui.ts';
import './styles/theme.css';

const app = createApp(App);
app.use(createPinia());
app.mount('#app');

startLab(createLabClient()).catch((e: unknown) => {
  useUiStore().report(e, 'The lab did not start');
});
