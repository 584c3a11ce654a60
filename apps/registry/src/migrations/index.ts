import { Registry1764460800100 } from './1764460800100-Registry';
import { NamesAndContacts1764806400100 } from './1764806400100-NamesAndContacts';

/** The registry's migrations after the shared outbox/inbox one, in order. */
export const REGISTRY_MIGRATIONS = [Registry1764460800100, NamesAndContacts1764806400100];
