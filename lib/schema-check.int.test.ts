import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_DATABASE_URL } from "@/test/integration";
import { applyMigrations } from "@/prisma/offline-migrate";
import { pendingMigrations, schemaProblem } from "./schema-check";

const schema = `t_schemacheck_${process.pid}`;

afterAll(async () => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe("start-up schema check", () => {
  it("tells the operator to migrate when the schema is behind, and is quiet once it is current", async () => {
    const empty = await schemaProblem(TEST_DATABASE_URL, schema);
    expect(empty).toMatch(/out of date .* Run `npm run db:migrate`/);
    await applyMigrations({ connectionString: TEST_DATABASE_URL, schema });
    expect(await pendingMigrations(TEST_DATABASE_URL, schema)).toEqual([]);
    expect(await schemaProblem(TEST_DATABASE_URL, schema)).toBeNull();
  });

  it("says PostgreSQL cannot be reached rather than crashing", async () => {
    const problem = await schemaProblem("postgresql://postgres@127.0.0.1:1/nothing");
    expect(problem).toMatch(/Cannot check the database schema at 127\.0\.0\.1:1/);
  });
});
