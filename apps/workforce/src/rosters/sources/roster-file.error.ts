/**
 * A roster file refused whole (wrong format, no header, empty, malformed midway, too large). The message
 * is shown to the uploader and logged, so it names lines and columns and never quotes the file's content.
 */
export class RosterFileError extends Error {
  constructor(
    readonly status: 413 | 415 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'RosterFileError';
  }
}
