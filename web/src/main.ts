// Entry point of the staff app: Pinia (session and shared state), vue-router, Element Plus's styles (the
// components themselves are imported by the screens that use them, so each screen's chunk carries its own).
// The session comes first (a new tab adopts the cookie session): the first screen then opens straight where the
// user works, its data requested at once, instead of passing through the login route.
// Element Plus's date pickers follow day.js's locale: Chinese, weeks from Monday (its default is English, from Sunday);
// their panels are named dialogs (lib/picker-panels.ts).
import 'dayjs/locale/zh-cn';
import 'element-plus/dist/index.css';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { watchPickerPanels } from './lib/picker-panels.ts';
import { startLive } from './lib/live.ts';
import { router } from './router.ts';
import { useAlerts } from './stores/alerts.ts';
import { useSession } from './stores/session.ts';
import './styles.css';

const app = createApp(App).use(createPinia());
void useSession()
  .boot()
  .finally(() => {
    app.use(router).mount('#app');
    watchPickerPanels(document);
    startLive();
    useAlerts().start();
  });
