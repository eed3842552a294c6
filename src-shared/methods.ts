/**
 * The LabApi's methods, in one list: what the preload exposes, the server routes and the
 * renderer's client calls. Plain names, so that the renderer needs nothing from the main side at run
 * time; src-main/api/contract.ts checks at compile time that the list and the LabApi interface agree.
 */
export const METHOD_NAMES = [
  'appInfo', 'listTasks', 'listCorpora', 'getCorpus', 'importCorpus', 'createTaskCorpus', 'deleteCorpus',
  'listExperiments', 'getExperiment', 'planExperiment', 'createExperiment', 'deleteExperiment', 'runExperiment',
  'resumeRun', 'pauseRun', 'cancelRun', 'duplicateRun', 'getRunData', 'compareRuns', 'importModel', 'listModels', 'generate', 'exportModel', 'exportMetrics',
  'exportReport', 'printPdf', 'gradientFlow', 'inspectCells', 'characterLosses', 'getBaselines',
  'sweepReport', 'confirmSweep', 'getExecution', 'setExecution', 'testRedis',
] as const;
