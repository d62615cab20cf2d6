import { describe, expect, it } from "vitest";
import { InvalidInputError } from "@/lib/errors";
import { isAppleCategory, parseAppleCategory } from "./categories";
import { sanitiseShowNotes, showNotesToText, textToHtml } from "./show-notes";

describe("sanitiseShowNotes", () => {
  it("keeps the formatting tags podcast apps render", () => {
    const html =
      "<h3>Topics</h3><p>Some <b>bold</b>, <strong>strong</strong>, <i>italic</i> and <em>em</em> text.<br>Next line.</p>" +
      "<ul><li>one</li></ul><ol><li>two</li></ol><h4>Quote</h4><blockquote>Said.</blockquote>";
    expect(sanitiseShowNotes(html)).toBe(html.replace("<br>", "<br />"));
  });

  it("removes scripts, styles and event handlers with their content", () => {
    const out = sanitiseShowNotes(
      `<p onclick="steal()" onmouseover="x()" style="color:red">Hi</p><script>alert("pwned")</script>` +
        `<style>body{display:none}</style><img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>` +
        `<svg onload="alert(1)"><script>x()</script></svg><noscript>no</noscript>`,
    );
    expect(out).toBe("<p>Hi</p>");
  });

  it("keeps the text of tags outside the list, dropping the tags", () => {
    expect(sanitiseShowNotes("<div><h1>Title</h1><span>text</span></div>")).toBe("Titletext");
  });

  it("allows http, https and mailto links only, each with rel=noopener nofollow", () => {
    const out = sanitiseShowNotes(
      `<a href="https://example.org/a?b=1&c=2" target="_blank" rel="opener" onclick="x()">web</a>` +
        `<a href="http://example.org">plain</a><a href="mailto:ada@example.com">mail</a>` +
        `<a href="javascript:alert(1)">js</a><a href="JaVaScRiPt:alert(1)">js2</a><a href=" java\tscript:x">js3</a>` +
        `<a href="data:text/html,<script>x</script>">data</a><a href="//evil.example/x">proto-relative</a>` +
        `<a href="vbscript:x">vb</a>`,
    );
    expect(out).toBe(
      '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener nofollow">web</a>' +
        '<a href="http://example.org" rel="noopener nofollow">plain</a>' +
        '<a href="mailto:ada@example.com" rel="noopener nofollow">mail</a>' +
        '<a rel="noopener nofollow">js</a><a rel="noopener nofollow">js2</a><a rel="noopener nofollow">js3</a>' +
        '<a rel="noopener nofollow">data</a><a rel="noopener nofollow">proto-relative</a><a rel="noopener nofollow">vb</a>',
    );
  });

  it("escapes & < > in text and keeps quotes and emoji", () => {
    expect(sanitiseShowNotes(`<p>Tom & Jerry: 1 < 2 > 0, "quoted" 🎙️</p>`)).toBe(
      `<p>Tom &amp; Jerry: 1 &lt; 2 &gt; 0, "quoted" 🎙️</p>`,
    );
  });

  it("is idempotent, so stored notes can be sanitised again on output", () => {
    const once = sanitiseShowNotes(`<p>a & b <a href="https://x.example/?q=1&r=2" target=_blank>l</a><script>x</script></p>`);
    expect(sanitiseShowNotes(once)).toBe(once);
  });
});

describe("textToHtml and showNotesToText", () => {
  it("turns plain text into escaped paragraphs", () => {
    expect(textToHtml(`One & <two>\nstill one\n\n"Two" 🎙️`)).toBe(`<p>One &amp; &lt;two&gt;<br />still one</p><p>&quot;Two&quot; 🎙️</p>`);
    expect(textToHtml("   ")).toBe("");
  });

  it("reads notes back as text a person would see", () => {
    expect(showNotesToText(`<h3>Part &amp; 1</h3><p>1 &lt; 2<br>next</p><ul><li>a</li><li>b</li></ul><script>x()</script>`)).toBe(
      "Part & 1\n1 < 2\nnext\na\nb",
    );
  });
});

describe("Apple categories", () => {
  it("knows Apple's names and nesting", () => {
    expect(isAppleCategory({ name: "Technology" })).toBe(true);
    expect(isAppleCategory({ name: "Leisure", subcategory: "Video Games" })).toBe(true);
    expect(isAppleCategory({ name: "Leisure", subcategory: "Tech News" })).toBe(false);
    expect(isAppleCategory({ name: "technology" })).toBe(false); // Apple's names are case-sensitive
    expect(isAppleCategory({ name: "toString" })).toBe(false);
  });

  it("parses a typed category into Apple's spelling, or names the field", () => {
    expect(parseAppleCategory("leisure>video games")).toEqual({ name: "Leisure", subcategory: "Video Games" });
    expect(parseAppleCategory(" TV & Film ")).toEqual({ name: "TV & Film" });
    for (const bad of ["Gaming", "Technology > Gadgets", "Arts > Books > Poetry", ""]) {
      expect(() => parseAppleCategory(bad)).toThrow(InvalidInputError);
    }
    try {
      parseAppleCategory("Gaming", "show.category");
    } catch (err) {
      expect((err as InvalidInputError).fields["show.category"]).toMatch(/not an Apple Podcasts category/);
    }
  });
});
