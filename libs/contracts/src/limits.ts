/** Most ids one membership event may carry (added + removed together). */
export const MAX_CHUNK_IDS = 10000;

/** Most ids one synchronous `POST /v1/resolve` call may carry. */
export const MAX_SYNC_RESOLVE_IDS = 1000;
