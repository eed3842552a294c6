import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CorpusDetails, CorpusMeta, TaskInfo } from '../../src-main/api/contract.ts';
import { tr } from '../i18n.ts';
import { errorMessage } from './errors.ts';
import { labClient } from './lab-client.ts';
import { useUiStore } from './ui.ts';

export interface ImportProgress {
  name: string;
  phase: 'reading' | 'importing' | 'generating';
  /** 0..1, or null when the length is unknown */
  fraction: number | null;
}

/** A file's bytes, reporting how much has been read. */
export type ReadBytes = (file: File, onProgress: (fraction: number) => void) => Promise<Uint8Array>;

export const readFileBytes: ReadBytes = (file, onProgress) => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onprogress = (ev) => {
    if (ev.lengthComputable && ev.total > 0) onProgress(ev.loaded / ev.total);
  };
  reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
  reader.onerror = () => reject(new Error(tr('toasts.fileUnreadable', { file: file.name, reason: reader.error?.message ?? tr('toasts.unknownError') })));
  reader.readAsArrayBuffer(file);
});

export const useCorporaStore = defineStore('corpora', () => {
  const corpora = ref<CorpusMeta[]>([]);
  const details = ref<Record<number, CorpusDetails>>({});
  const tasks = ref<TaskInfo[]>([]);
  const loaded = ref(false);
  const progress = ref<ImportProgress | null>(null);
  /** why the last import or task was refused, shown where the user dropped the file */
  const importError = ref<string | null>(null);

  async function load(): Promise<void> {
    const client = labClient();
    try {
      const [list, taskList] = await Promise.all([client.listCorpora({}), client.listTasks({})]);
      corpora.value = list;
      tasks.value = taskList;
    } catch (e) {
      useUiStore().report(e, tr('toasts.listCorpora'));
    } finally {
      loaded.value = true;
    }
  }

  async function select(id: number | null): Promise<void> {
    const ui = useUiStore();
    ui.selectedCorpusId = id;
    if (id === null || details.value[id]) return;
    try {
      details.value[id] = await labClient().getCorpus({ id });
    } catch (e) {
      ui.report(e, tr('toasts.openCorpus'));
    }
  }

  function added(corpus: CorpusDetails, existing: boolean): void {
    details.value[corpus.id] = corpus;
    const { stats: _stats, ...meta } = corpus;
    if (!corpora.value.some((c) => c.id === corpus.id)) corpora.value = [...corpora.value, meta];
    useUiStore().selectedCorpusId = corpus.id;
    useUiStore().notify(existing ? 'info' : 'success', existing ? tr('toasts.corpusExists', { name: corpus.name }) : tr('toasts.corpusImported', { name: corpus.name }));
  }

  async function importFile(file: File, readBytes: ReadBytes = readFileBytes): Promise<CorpusDetails | null> {
    importError.value = null;
    const name = file.name.replace(/\.[^.]+$/, '') || file.name;
    progress.value = { name: file.name, phase: 'reading', fraction: 0 };
    try {
      const bytes = await readBytes(file, (fraction) => {
        if (progress.value) progress.value.fraction = fraction;
      });
      progress.value = { name: file.name, phase: 'importing', fraction: null };
      const { corpus, existing } = await labClient().importCorpus({ name, bytes, source: file.name });
      added(corpus, existing);
      return corpus;
    } catch (e) {
      importError.value = tr('toasts.fileNotImported', { file: file.name, reason: errorMessage(e) });
      return null;
    } finally {
      progress.value = null;
    }
  }

  async function createFromTask(task: string, params: Record<string, number>): Promise<CorpusDetails | null> {
    importError.value = null;
    progress.value = { name: task, phase: 'generating', fraction: null };
    try {
      const { corpus, existing } = await labClient().createTaskCorpus({ task, params });
      added(corpus, existing);
      return corpus;
    } catch (e) {
      importError.value = tr('toasts.taskNotGenerated', { task, reason: errorMessage(e) });
      return null;
    } finally {
      progress.value = null;
    }
  }

  async function remove(id: number): Promise<boolean> {
    const ui = useUiStore();
    try {
      await labClient().deleteCorpus({ id });
      corpora.value = corpora.value.filter((c) => c.id !== id);
      delete details.value[id];
      if (ui.selectedCorpusId === id) ui.selectedCorpusId = null;
      return true;
    } catch (e) {
      ui.report(e, tr('toasts.deleteCorpus'));
      return false;
    }
  }

  return { corpora, details, tasks, loaded, progress, importError, load, select, importFile, createFromTask, remove };
});
