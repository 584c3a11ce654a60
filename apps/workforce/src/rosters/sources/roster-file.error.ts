import { rosterMessage, type Lang, type RosterMessageKey, type RosterMessageParams } from '../roster-messages';

/**
 * A roster file refused whole (wrong format, no header, empty, malformed midway, too large). Its text
 * comes from the message catalog (roster-messages.ts) in the uploader's language; `message` is the
 * English text, for the log and the import's record. Messages name lines and columns and never quote
 * the file's content.
 */
export class RosterFileError<K extends RosterMessageKey = RosterMessageKey> extends Error {
  constructor(
    readonly status: 413 | 415 | 422,
    readonly key: K,
    readonly params: RosterMessageParams<K>,
  ) {
    super(rosterMessage(key, params, 'en'));
    this.name = 'RosterFileError';
  }

  text(lang: Lang): string {
    return rosterMessage(this.key, this.params, lang);
  }
}
