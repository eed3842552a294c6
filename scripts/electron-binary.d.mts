export function electronBinary(root: string): string | null;
export function electronSqliteBinding(root: string): string;
