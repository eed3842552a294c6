export interface BuildFiles {
  outputs: string[];
  sources: string[];
}
export const APP_BUILD: BuildFiles;
export const NODE_BUILD: BuildFiles;
export function isBuildFresh(root: string, build: BuildFiles): boolean;

