// Entry point of the staff workbench.
import { createApp } from 'vue';
import App from './App.vue';
import { startLive } from './lib/live.ts';
import './styles.css';

createApp(App).mount('#app');
startLive();
