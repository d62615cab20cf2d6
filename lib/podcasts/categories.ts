// Apple Podcasts' category list (the 2019 revision, still current): Apple files a show only
// under these exact, case-sensitive names, so a show's category is checked against it when
// it is saved and again when the feed is built.
import { InvalidInputError } from "@/lib/errors";

export const APPLE_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  Arts: ["Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"],
  Business: ["Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"],
  Comedy: ["Comedy Interviews", "Improv", "Stand-Up"],
  Education: ["Courses", "How To", "Language Learning", "Self-Improvement"],
  Fiction: ["Comedy Fiction", "Drama", "Science Fiction"],
  Government: [],
  History: [],
  "Health & Fitness": ["Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"],
  "Kids & Family": ["Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"],
  Leisure: ["Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden", "Video Games"],
  Music: ["Music Commentary", "Music History", "Music Interviews"],
  News: ["Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News", "Tech News"],
  "Religion & Spirituality": ["Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"],
  Science: [
    "Astronomy",
    "Chemistry",
    "Earth Sciences",
    "Life Sciences",
    "Mathematics",
    "Natural Sciences",
    "Nature",
    "Physics",
    "Social Sciences",
  ],
  "Society & Culture": ["Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"],
  Sports: [
    "Baseball",
    "Basketball",
    "Cricket",
    "Fantasy Sports",
    "Football",
    "Golf",
    "Hockey",
    "Rugby",
    "Running",
    "Soccer",
    "Swimming",
    "Tennis",
    "Volleyball",
    "Wilderness",
    "Wrestling",
  ],
  Technology: [],
  "True Crime": [],
  "TV & Film": ["After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"],
};

/** One `<itunes:category>`: a top-level name, optionally with one of its subcategories. */
export interface AppleCategory {
  name: string;
  subcategory?: string | null;
}

export function isAppleCategory(category: AppleCategory): boolean {
  if (!Object.hasOwn(APPLE_CATEGORIES, category.name)) return false;
  return !category.subcategory || APPLE_CATEGORIES[category.name].includes(category.subcategory);
}

/**
 * Reads "Leisure > Video Games" or "Technology" (any case, any spacing around ">") into
 * Apple's exact spelling. Throws InvalidInputError naming `field` when Apple has no such
 * category, so a form can show the message beside the category picker.
 */
export function parseAppleCategory(text: string, field = "category"): AppleCategory {
  const [top, sub, ...rest] = text.split(">").map((part) => part.trim().toLowerCase());
  const name = Object.keys(APPLE_CATEGORIES).find((n) => n.toLowerCase() === top);
  const subcategory = sub === undefined ? undefined : name && APPLE_CATEGORIES[name].find((s) => s.toLowerCase() === sub);
  if (!name || rest.length > 0 || (sub !== undefined && !subcategory)) {
    throw new InvalidInputError(
      { [field]: `"${text}" is not an Apple Podcasts category. Pick one from the list, e.g. "Technology" or "Leisure > Video Games".` },
      "The category is not one Apple Podcasts knows.",
    );
  }
  return subcategory ? { name, subcategory } : { name };
}
