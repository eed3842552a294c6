/// <reference types="vite/client" />
import type { LabBridge } from '../src-main/api/contract.ts';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** the Electron preload's LabApi bridge; absent in browser mode */
    labBridge?: LabBridge;
  }
}
