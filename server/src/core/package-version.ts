/** The product version, read once from the root package.json (single source of truth). */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

/** Semantic version of this checkout, e.g. "0.1.0". */
export const PACKAGE_VERSION: string = pkg.version;
