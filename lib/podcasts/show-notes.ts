// Show notes are HTML typed (or pasted) by a person and then read by every podcast app that
// fetches the feed, so they pass through one allow-list: a few formatting tags, links with
// http/https/mailto only, nothing that runs (no script, style, on* handlers, iframes, images).
import sanitizeHtml from "sanitize-html";

/** Tags podcast apps render reliably; everything else is dropped, its text kept. */
export const SHOW_NOTES_TAGS = ["p", "br", "a", "b", "strong", "i", "em", "ul", "ol", "li", "h3", "h4", "blockquote"] as const;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...SHOW_NOTES_TAGS],
  allowedAttributes: { a: ["href", "rel"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  // "//host/path" would inherit whatever scheme the reading app uses (file:, app-specific).
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  // These lose their content too, not just their tags: it is code or fallback, not notes.
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "template", "iframe", "object"],
  transformTags: {
    // Whatever rel/target the author wrote is replaced: links open nothing with opener access
    // and pass no ranking credit to what a listener may have pasted.
    a: (tagName, attribs) => {
      const kept: sanitizeHtml.Attributes = attribs.href ? { href: attribs.href } : {};
      return { tagName, attribs: { ...kept, rel: "noopener nofollow" } };
    },
  },
};

/**
 * Returns `html` reduced to the allow-list above. Idempotent: sanitising the output again
 * gives the same string, so it is safe to store the result and sanitise again on output.
 */
export function sanitiseShowNotes(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

/** Plain text (a model's summary, a description) as HTML paragraphs, for HTML-only slots. */
export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\r?\n\s*\r?\n/)
    .filter((para) => para.trim() !== "")
    .map((para) => `<p>${escapeHtml(para.trim()).replace(/\r?\n/g, "<br />")}</p>`)
    .join("");
}

/** The text a person would read in the notes, tags gone and entities decoded. */
export function showNotesToText(html: string): string {
  const text = sanitizeHtml(html.replace(/<\/(p|li|h3|h4|blockquote)>|<br\s*\/?>/gi, "$&\n"), {
    allowedTags: [],
    allowedAttributes: {},
    disallowedTagsMode: "discard",
  });
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// sanitize-html re-escapes &, <, >, " in text; turn them back for a plain-text reader.
function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
}
