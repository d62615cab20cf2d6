import { describe, expect, it } from "vitest";
import { attachmentDisposition, cleanFileName, MAX_FILE_NAME, shortenName } from "./file-names";

/** What a client that speaks RFC 6266 reads from the header: the filename* value, decoded. */
function savedName(header: string): string {
  const star = /filename\*=UTF-8''([^\s;]+)$/.exec(header);
  expect(star, header).not.toBeNull();
  // Only attr-chars may stand unencoded (RFC 8187): letters, digits and !#$&+-.^_`|~
  expect(star![1]).toMatch(/^(?:[A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+$/);
  return decodeURIComponent(star![1]);
}

const graphemeCount = (s: string) => [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s)].length;

describe("cleanFileName", () => {
  it("keeps the name as sent, slashes included: it is a name, never a path", () => {
    expect(cleanFileName("<script>alert(1)</script>.jpg")).toBe("<script>alert(1)</script>.jpg");
    expect(cleanFileName("../../etc/passwd.jpg")).toBe("../../etc/passwd.jpg");
    expect(cleanFileName("C:\\Users\\me\\holiday.jpg")).toBe("C:\\Users\\me\\holiday.jpg");
  });

  it("drops control characters and direction overrides, keeps every script and emoji", () => {
    expect(cleanFileName("bad\u0000name\u001b.jpg")).toBe("badname.jpg");
    expect(cleanFileName("a\r\nSet-Cookie: x=1.jpg")).toBe("aSet-Cookie: x=1.jpg");
    expect(cleanFileName("photo\u202Egpj.exe")).toBe("photogpj.exe");
    expect(cleanFileName("été 🌞 写真 👨‍👩‍👧.jpg")).toBe("été 🌞 写真 👨‍👩‍👧.jpg");
  });

  it("falls back to a neutral name for nothing, '.' and '..'", () => {
    expect(cleanFileName(undefined)).toBe("photo");
    expect(cleanFileName("   ")).toBe("photo");
    expect(cleanFileName("..")).toBe("photo");
    expect(cleanFileName(".", "episode")).toBe("episode");
  });

  it("shortens a long name between whole characters and keeps its extension", () => {
    const emoji = cleanFileName(`x${"😀".repeat(300)}.jpg`);
    expect(emoji).not.toContain("\uFFFD");
    expect(emoji.length).toBeLessThanOrEqual(MAX_FILE_NAME);
    expect(emoji).toMatch(/^x(?:😀)+…\.jpg$/u);
    expect(emoji.isWellFormed()).toBe(true);

    const family = "👨‍👩‍👧‍👦"; // one grapheme of 11 UTF-16 code units
    const families = cleanFileName(`${family.repeat(40)}.png`);
    expect(families).toBe(`${family.repeat(17)}….png`);
    expect(graphemeCount(families)).toBe(17 + 1 + 4);

    expect(cleanFileName(`${"a".repeat(1_000)}.jpg`)).toBe(`${"a".repeat(195)}….jpg`);
    expect(cleanFileName("a".repeat(500))).toBe(`${"a".repeat(199)}…`);
    expect(shortenName("short.jpg", 200)).toBe("short.jpg");
  });
});

describe("attachmentDisposition", () => {
  it("gives the exact name in filename*, and a plain ASCII stand-in in filename", () => {
    const header = attachmentDisposition("Ünïcødé 写真 (1) it's.jpg");
    expect(savedName(header)).toBe("Ünïcødé 写真 (1) it's.jpg");
    expect(header).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=/);
    expect(header).toContain('filename="_n_c_d_ __ (1) it\'s.jpg"');
  });

  it("carries markup and slashes harmlessly: encoded, and never a folder", () => {
    const header = attachmentDisposition("<script>alert(1)</script>.jpg");
    expect(savedName(header)).toBe("<script>alert(1)<_script>.jpg");
    expect(header).toContain('filename="<script>alert(1)<_script>.jpg"');
    expect(savedName(attachmentDisposition("..\\..\\a/b.jpg"))).toBe(".._.._a_b.jpg");
  });

  it("cannot be broken out of: no quote, backslash, percent or line break in the quoted part", () => {
    const header = attachmentDisposition('a"b\\c%41\r\nSet-Cookie: x=1.jpg');
    expect(header).not.toMatch(/[\r\n]/);
    expect(/filename="([^"]*)"/.exec(header)![1]).toBe("a_b_c_41__Set-Cookie: x=1.jpg");
  });

  it("keeps a shortened emoji name whole (no replacement character)", () => {
    const name = cleanFileName(`x${"😀".repeat(300)}.jpg`);
    expect(savedName(attachmentDisposition(name))).toBe(name);
  });
});
