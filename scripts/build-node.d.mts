export function buildNode(): Promise<void>;
