-- AlterTable
ALTER TABLE "Analysis" ADD COLUMN     "search" tsvector;

-- CreateIndex
CREATE INDEX "Analysis_search_idx" ON "Analysis" USING GIN ("search");

-- CreateIndex
CREATE INDEX "Media_analysisSha_idx" ON "Media"("analysisSha");

-- Written by hand (Prisma does not manage triggers): the search document of an analysis,
-- from its tags (weight A), caption (B), camera make, model and lens (C) and the date it
-- was taken as "2023 June" (D), English stemming so "dogs" finds "dog". Analyses are
-- written once per content hash; the trigger keeps it right for any writer.
CREATE FUNCTION analysis_search_document(tags text[], caption text, exif jsonb, taken_at timestamp)
RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector('english', coalesce(array_to_string(tags, ' '), '')), 'A')
      || setweight(to_tsvector('english', coalesce(caption, '')), 'B')
      || setweight(to_tsvector('english', concat_ws(' ', exif->>'cameraMake', exif->>'cameraModel', exif->>'lens')), 'C')
      || setweight(to_tsvector('english', coalesce(to_char(taken_at, 'YYYY FMMonth'), '')), 'D')
$$;

-- SET search_path FROM CURRENT: the function is found whatever the writer's search_path
-- (Prisma qualifies its tables with the schema but does not set the path).
CREATE FUNCTION analysis_search_update() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  NEW."search" := analysis_search_document(NEW."tags", NEW."caption", NEW."exif", NEW."takenAt");
  RETURN NEW;
END
$$;

CREATE TRIGGER analysis_search_update
  BEFORE INSERT OR UPDATE OF "tags", "caption", "exif", "takenAt" ON "Analysis"
  FOR EACH ROW EXECUTE FUNCTION analysis_search_update();

-- Photos analysed before this migration.
UPDATE "Analysis" SET "search" = analysis_search_document("tags", "caption", "exif", "takenAt");
