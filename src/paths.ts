import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from src/ (tests, tsx) or dist/ (built). Both sit one level below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bundled reference and demo data (each folder has a PROVENANCE.md). */
export function dataPath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, 'data', ...parts);
}
