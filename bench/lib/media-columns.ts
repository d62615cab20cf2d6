// The photo's columns the app reads. Prisma never selects the search document (an
// Unsupported column), so the bare baseline server and the EXPLAINed SQL of scenario 17 name
// these rather than `*`, and read the same row the app does.
const MEDIA_COLUMNS = ["id", "ownerId", "originalName", "mime", "size", "sha256", "storageKey", "status", "stage", "progress", "error", "version", "analysisSha", "createdAt", "updatedAt", "completedAt"];

/** The column list for a SELECT, each prefixed with `alias` ("m.") when given. */
export const mediaColumns = (alias = "") => MEDIA_COLUMNS.map((c) => `${alias}"${c}"`).join(", ");
