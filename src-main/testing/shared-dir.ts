import path from 'node:path';
import { findRepositoryRoot } from '../resources/resource-paths.js';

/**
 * The project's shared reference material (vectors, real sections) sits beside the
 * repository as `../shared`, in development and in CI alike. Tests only.
 */
export const SHARED_DIR = path.resolve(findRepositoryRoot(import.meta.dirname) ?? process.cwd(), '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}
