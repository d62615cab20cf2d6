import { defineConfig } from "prisma/config";

// Prisma 7 keeps the connection URL here, not in schema.prisma. Only `prisma generate`
// reads this file; migrations run offline through prisma/offline-migrate/ (its README says why).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/framecast" },
});
