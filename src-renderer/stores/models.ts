/**
 * Imported model files (.safetensors): the list the Generate screen and the new-experiment form
 * offer, and importing one, with an optional vocabulary file for a PyTorch state_dict.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ModelInfo } from '../../src-main/api/contract.ts';
import { tr } from '../i18n.ts';
import { readFileBytes, type ReadBytes } from './corpora.ts';
import { errorMessage } from './errors.ts';
import { labClient } from './lab-client.ts';
import { useUiStore } from './ui.ts';

/**
 * A vocabulary from JSON text, one string per token id: a list of characters (["a", "b", ...]) or
 * an object mapping each character to its id ({"a": 0, "b": 1, ...}) whose ids are 0..n-1.
 */
export function parseVocab(text: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`the vocabulary is not JSON (${errorMessage(e)})`);
  }
  if (Array.isArray(data)) {
    const bad = data.findIndex((c) => typeof c !== 'string');
    if (bad >= 0) throw new Error(`the vocabulary list has a non-string at index ${bad}`);
    if (data.length === 0) throw new Error('the vocabulary list is empty');
    return data as string[];
  }
  if (data !== null && typeof data === 'object') {
    const entries = Object.entries(data as Record<string, unknown>);
    if (entries.length === 0) throw new Error('the vocabulary object is empty');
    const vocab = new Array<string | undefined>(entries.length);
    for (const [char, id] of entries) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= entries.length) {
        throw new Error(`the id of ${JSON.stringify(char)} must be a whole number from 0 to ${entries.length - 1}, got ${JSON.stringify(id)}`);
      }
      if (vocab[id] !== undefined) throw new Error(`id ${id} is given to both ${JSON.stringify(vocab[id])} and ${JSON.stringify(char)}`);
      vocab[id] = char;
    }
    return vocab as string[];
  }
  throw new Error('the vocabulary must be a JSON list of characters or an object {character: id}');
}

/** A file's text (File.text() where there is one). */
async function readText(file: File): Promise<string> {
  if (typeof file.text === 'function') return file.text();
  return new TextDecoder().decode(await readFileBytes(file, () => {}));
}

export const useModelsStore = defineStore('models', () => {
  const models = ref<ModelInfo[]>([]);
  const loaded = ref(false);
  const importing = ref(false);
  /** why the last import was refused (the lab's message, or the vocabulary file's problem) */
  const importError = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      models.value = await labClient().listModels({});
    } catch (e) {
      useUiStore().report(e, tr('toasts.listModels'));
    } finally {
      loaded.value = true;
    }
  }

  function byId(id: number | null | undefined): ModelInfo | undefined {
    return id === null || id === undefined ? undefined : models.value.find((m) => m.id === id);
  }

  /** Imports a .safetensors file; vocabFile (JSON) is for a PyTorch state_dict without our metadata. */
  async function importFile(file: File, vocabFile: File | null = null, readBytes: ReadBytes = readFileBytes): Promise<ModelInfo | null> {
    importError.value = null;
    importing.value = true;
    const name = file.name.replace(/\.[^.]+$/, '') || file.name;
    try {
      let vocab: string[] | undefined;
      if (vocabFile) {
        try {
          vocab = parseVocab(await readText(vocabFile));
        } catch (e) {
          throw new Error(`${vocabFile.name}: ${errorMessage(e)}`);
        }
      }
      const bytes = await readBytes(file, () => {});
      const { model, existing } = await labClient().importModel({ name, bytes, ...(vocab ? { vocab } : {}) });
      if (!models.value.some((m) => m.id === model.id)) models.value = [...models.value, model];
      useUiStore().notify(existing ? 'info' : 'success', existing ? tr('toasts.modelExists', { name: model.name }) : tr('toasts.modelImported', { name: model.name }));
      return model;
    } catch (e) {
      importError.value = tr('toasts.fileNotImported', { file: file.name, reason: errorMessage(e) });
      return null;
    } finally {
      importing.value = false;
    }
  }

  return { models, loaded, importing, importError, load, byId, importFile };
});
