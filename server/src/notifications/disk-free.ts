/** Free space of the file system holding a path (statfs), as the share an unprivileged writer can use. */
import { statfs } from 'node:fs/promises';

/** Free space of a file system. */
export interface DiskFree {
  /** Bytes available to the gateway (non-root reserve excluded). */
  freeBytes: number;
  totalBytes: number;
  /** freeBytes / totalBytes × 100. */
  freePct: number;
}

/** Reads the free space of the file system that holds `path`. */
export async function diskFree(path: string): Promise<DiskFree> {
  const s = await statfs(path);
  const totalBytes = s.blocks * s.bsize;
  const freeBytes = s.bavail * s.bsize;
  return { freeBytes, totalBytes, freePct: totalBytes > 0 ? (freeBytes / totalBytes) * 100 : 100 };
}
