import { TroupeError } from '../errors';

/** A file of the catalog (troupe.config.ts or a service file it names) does not load or is unusable. */
export class CatalogError extends TroupeError {
  constructor(
    /** The file, relative to the project root. */
    readonly file: string,
    problem: string,
  ) {
    super('CATALOG_INVALID', `${file}: ${problem}`);
  }
}
