-- Written by hand: search reads the photo row, not the analysis (lib/media/search.ts). An
-- analysis is keyed by content hash and shared between owners, so a word matched on
-- Analysis first finds everyone's photos and only then asks whose each one is: the cost of
-- a rare word grew with everyone's data (docs/performance.md, "Costs as data grows"). A
-- copy of the document on each photo, indexed together with its owner, finds one owner's
-- matches and nothing else.

-- btree_gin gives GIN an equality operator class for uuid, so one GIN index holds the owner
-- beside the words. It ships with PostgreSQL (contrib) and is trusted: the database owner
-- may create it. An extension exists once per database, in one schema: in `public`
-- whatever the search_path, because a migration applied into a test's own schema would
-- otherwise create it there, and dropping that schema would drop the extension and with it
-- this index in every other schema.
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;

-- DropIndex (no query matches on Analysis any more; its document stays, as the source
-- the photos copy)
DROP INDEX "Analysis_search_idx";

-- AlterTable
ALTER TABLE "Media" ADD COLUMN     "search" tsvector;

-- A photo's document is its analysis's: copied when the photo is written with an analysis
-- or gets (or loses) one. SET search_path FROM CURRENT: "Analysis" is found whatever the
-- writer's search_path, as in analysis_search_update.
CREATE FUNCTION media_search_update() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."analysisSha" IS NULL THEN
    NEW."search" := NULL;
  ELSE
    NEW."search" := (SELECT a."search" FROM "Analysis" a WHERE a."sha256" = NEW."analysisSha");
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER media_search_update
  BEFORE INSERT OR UPDATE OF "analysisSha" ON "Media"
  FOR EACH ROW EXECUTE FUNCTION media_search_update();

-- An analysis whose document changes (its tags, caption, camera or date were rewritten)
-- passes it on to every photo of those bytes, whoever owns them. Without a column list:
-- "search" is set by the BEFORE trigger, which `UPDATE OF "search"` would not notice.
-- The app writes an analysis once per content hash (saveAnalysis never updates one), so
-- this is for corrections by hand and a future re-analysis. A photo attached while its
-- analysis is being changed (two transactions at once, neither seeing the other's row)
-- could keep the old document; locking the analysis row would close that at the price of a
-- lock per photo and a deadlock risk, not worth it while analyses do not change.
CREATE FUNCTION analysis_search_to_media() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE "Media" SET "search" = NEW."search" WHERE "analysisSha" = NEW."sha256";
  RETURN NULL;
END
$$;

CREATE TRIGGER analysis_search_to_media
  AFTER UPDATE ON "Analysis"
  FOR EACH ROW WHEN (OLD."search" IS DISTINCT FROM NEW."search")
  EXECUTE FUNCTION analysis_search_to_media();

-- Photos analysed before this migration.
UPDATE "Media" m SET "search" = a."search" FROM "Analysis" a WHERE a."sha256" = m."analysisSha";

-- CreateIndex (after the backfill: one sorted build rather than a GIN insert per row).
-- Prisma would write `"ownerId" uuid_ops`; an operator class named here is looked up in the
-- search_path, which in a test's schema does not hold `public`. Left out, Postgres takes
-- the default operator class for uuid under GIN, btree_gin's uuid_ops, wherever it lives.
CREATE INDEX "Media_ownerId_search_idx" ON "Media" USING GIN ("ownerId", "search");
