// Runs once before the test files: makes sure the test database exists (each file
// then migrates its own schema inside it).
import { ensureDatabase } from "@/prisma/offline-migrate";
import { TEST_DATABASE_URL } from "./integration";

export default async function setup() {
  await ensureDatabase(TEST_DATABASE_URL);
}
