// Opens an EPUB in a real reading system (epub.js, paginated) in headless Chromium, at a phone
// size and an e-reader size, and reports what a reader would see, as JSON on stdout:
//
//   node render-check.mjs <book.epub> <screenshot-folder>
//
// For each size it pages through the whole book and records, per page, whether anything is
// visible; every element wider than a page (the book must reflow, not overflow); every <img>
// that did not load or does not fit the page; whether each <figure> was once shown whole,
// image and caption together, on one screen. It then follows each link of the list of
// illustrations and each footnote reference the way a reader does (a click, handled by
// epub.js) and records whether the target ended up on screen. Judging the numbers is the
// caller's job (tests/rendering.rs); this script only measures, so a failure there shows
// the whole picture rather than the first surprise.
//
// The browser is Debian's chromium (PUPPETEER_EXECUTABLE_PATH, else /usr/bin/chromium);
// puppeteer-core never downloads one. The book and the reader are served from 127.0.0.1 on
// a free port, because epub.js fetches the archive with XHR, which file:// URLs refuse.

import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);

const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "ereader", width: 1264, height: 1680 },
];

// Far more pages than any test book has: a reader that never reaches the end is a failure,
// not a hang.
const MAX_PAGES = 2000;

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// The reader page. `window.check` runs in the browser, where epub.js and the book's
// documents live; Node only sets the viewport and takes screenshots.
const READER_HTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>render check</title>
<style>html, body { margin: 0; padding: 0; overflow: hidden; } #viewer { width: 100vw; height: 100vh; }</style>
<script src="/jszip.min.js"></script>
<script src="/epub.min.js"></script>
</head><body><div id="viewer"></div>
<script>
const errors = [];
window.addEventListener("error", (event) => errors.push("page error: " + event.message));
window.addEventListener("unhandledrejection", (event) => errors.push("unhandled rejection: " + event.reason));

const book = ePub("/book.epub", { openAs: "epub" });
const rendition = book.renderTo("viewer", {
  width: window.innerWidth,
  height: window.innerHeight,
  flow: "paginated",
  spread: "none",
});
rendition.on("displayError", (error) => errors.push("display error: " + error));

// Screen rectangle of an element of a section document: its rectangle in the iframe plus
// the iframe's own place on the screen (epub.js scrolls the iframe sideways to turn pages).
function screenRect(contents, element) {
  const frame = contents.window.frameElement.getBoundingClientRect();
  const box = element.getBoundingClientRect();
  return { left: frame.left + box.left, top: frame.top + box.top, right: frame.left + box.right, bottom: frame.top + box.bottom, width: box.width, height: box.height };
}
const onScreen = (r) => r.width > 0 && r.height > 0 && r.left >= -1 && r.top >= -1 && r.right <= window.innerWidth + 1 && r.bottom <= window.innerHeight + 1;
const touchesScreen = (r) => r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth && r.bottom > 0 && r.top < window.innerHeight;

// epub.js turns pages and follows links asynchronously, and its events can belong to an
// earlier move; so the checks wait for what a reader would see, up to a time limit.
async function waitFor(condition, milliseconds = 5000) {
  const deadline = performance.now() + milliseconds;
  while (performance.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

// Lets the reader finish laying out and scrolling after a page turn.
function settled() {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}

// The spine href of a displayed section (its iframe is a srcdoc or blob and has no name).
const sectionOf = (contents) => book.spine.get(contents.sectionIndex).href;

// Waits until every image of the displayed sections has loaded or failed.
async function imagesSettled() {
  for (const contents of rendition.getContents()) {
    await Promise.all(Array.from(contents.document.images, (img) =>
      img.complete ? null : new Promise((done) => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  }
}

async function pageThrough(result) {
  await rendition.display();
  await imagesSettled();
  await settled();
  const overflow = new Set();
  const images = new Map();
  const figures = new Map();
  let previous = null;
  for (let page = 1; page <= ${MAX_PAGES}; page++) {
    const location = rendition.currentLocation();
    // Where the reader is: the section and how far it has scrolled through its columns (a
    // page holding only an image has no text, so its CFI can repeat the previous page's).
    const key = location.start.href + " at " + rendition.manager.container.scrollLeft + "px";
    if (key === previous) { result.errors.push("paging stuck at " + key); break; }
    previous = key;
    let visible = 0;
    for (const contents of rendition.getContents()) {
      const section = sectionOf(contents);
      if (!result.sections.includes(section)) result.sections.push(section);
      const doc = contents.document;
      const pageWidth = rendition.manager.layout.columnWidth;
      for (const element of doc.body.querySelectorAll("*")) {
        const r = screenRect(contents, element);
        if (touchesScreen(r) && (element.childElementCount === 0 || element.tagName === "IMG")) visible++;
        // One box per column the element runs through: a long section spans many pages,
        // but no piece of it may be wider than one.
        const widest = Math.max(0, ...Array.from(element.getClientRects(), (box) => box.width));
        if (widest > pageWidth + 1) {
          overflow.add(section + ": <" + element.tagName.toLowerCase() + (element.id ? " id=" + element.id : "") + "> is " + Math.round(widest) + "px wide, the page " + Math.round(pageWidth) + "px");
        }
      }
      for (const img of doc.images) {
        const id = section + " " + (img.closest("figure[id]") ? "#" + img.closest("figure[id]").id : img.alt);
        const r = img.getBoundingClientRect();
        const entry = images.get(id) || { src: id, loaded: img.complete && img.naturalWidth > 0, width: Math.round(r.width), height: Math.round(r.height), fits: r.width <= pageWidth + 1 && r.height <= window.innerHeight + 1 };
        images.set(id, entry);
      }
      for (const figure of doc.querySelectorAll("figure")) {
        const id = section + "#" + figure.id;
        const img = figure.querySelector("img");
        const caption = figure.querySelector("figcaption");
        const entry = figures.get(id) || { id, caption: caption ? caption.textContent.trim().replace(/\\s+/g, " ") : null, shownWhole: false };
        if (figure.classList.contains("row")) {
          // A row (issue 14): its images side by side (one top, one height, left to right)
          // or stacked (each below the one before), measured where the row is on screen.
          const imgs = Array.from(figure.querySelectorAll(":scope > figure > img"));
          const boxes = imgs.map((i) => i.getBoundingClientRect());
          if (boxes.length > 1 && touchesScreen(screenRect(contents, imgs[0]))) {
            const sideBySide = boxes.every((b, k) => k === 0 || (Math.abs(b.top - boxes[0].top) < 2 && Math.abs(b.height - boxes[0].height) < 2 && b.left >= boxes[k - 1].right - 1));
            const stacked = boxes.every((b, k) => k === 0 || b.top >= boxes[k - 1].bottom - 1 || b.left >= boxes[k - 1].right + pageWidth / 2);
            entry.row = { images: boxes.length, sideBySide, stacked, boxes: boxes.map((b) => [b.left, b.top, b.right, b.bottom].map(Math.round)) };
          }
        }
        // A plate: how much of the page its image fills, at the widest or tallest.
        if (figure.classList.contains("full") && img) {
          const r = img.getBoundingClientRect();
          entry.plate = true;
          entry.fill = Math.max(r.width / pageWidth, r.height / window.innerHeight);
        }
        // A figure without a title has no caption; then the image alone must fit.
        if (img && onScreen(screenRect(contents, img)) && (!caption || onScreen(screenRect(contents, caption)))) entry.shownWhole = true;
        // Where the parts were when the image was on screen: what a failure needs to show.
        if (!entry.shownWhole && img && touchesScreen(screenRect(contents, img))) {
          const box = (element) => { const r = screenRect(contents, element); return [r.left, r.top, r.right, r.bottom].map(Math.round); };
          entry.seen = { image: box(img), caption: caption ? box(caption) : null };
        }
        figures.set(id, entry);
      }
    }
    if (visible === 0) result.blankPages.push(page + " (" + key + ")");
    result.pages = page;
    if (location.atEnd) break;
    await rendition.next();
    await waitFor(() => rendition.currentLocation().start.href + " at " + rendition.manager.container.scrollLeft + "px" !== key);
    await imagesSettled();
    await settled();
  }
  result.overflow = Array.from(overflow);
  result.images = Array.from(images.values());
  result.figures = Array.from(figures.values());
}

// The element with \`id\` in the displayed sections, with its section's contents.
function findShown(id) {
  for (const contents of rendition.getContents()) {
    const element = contents.document.getElementById(id);
    if (element) return { contents, element };
  }
  return { contents: null, element: null };
}

// Displays \`href\`, clicks the link \`selector\` picks (epub.js's own handler navigates), and
// returns the element the link points at once \`arrived\` holds for it (or time runs out).
//
// epub.js 0.3.93 has a bug of its own here: when a link leads into another document, it
// works out the target's page before that document's columns are laid out, and stops a few
// pages short (the same call within the document lands exactly). So when the click does not
// arrive, the check asks the reader once more for the same, already resolved, href, now
// within its document, and reports that the first try fell short (\`firstTry\`). The book's
// part, that the link names the figure's document and id, is what is judged.
async function follow(href, link, arrived) {
  await rendition.display(href);
  await settled();
  const anchor = rendition.getContents()[0].document.querySelector(link);
  const [file, fragment] = anchor.getAttribute("href").split("#");
  const target = decodeURIComponent(fragment);
  const resolved = new URL(file, "http://book/" + href).pathname.slice(1) + "#" + fragment;
  const isThere = () => { const found = findShown(target); return Boolean(found.element && arrived(found)); };
  // The click is done when the target is on screen, or when the reader has opened the
  // target's document and stayed on one page for a while.
  let where = null;
  let since = performance.now();
  const settledElsewhere = () => {
    const location = rendition.currentLocation();
    if (!location || !location.start) return false; // between two sections
    const now = location.start.href + " at " + rendition.manager.container.scrollLeft;
    if (now !== where) { where = now; since = performance.now(); }
    return now.startsWith(resolved.split("#")[0] + " ") && performance.now() - since > 300;
  };
  anchor.click();
  await waitFor(() => isThere() || settledElsewhere());
  const firstTry = isThere();
  const location = rendition.currentLocation();
  if (!firstTry && location && location.start && location.start.href === resolved.split("#")[0]) {
    await rendition.display(resolved);
    await waitFor(isThere);
  }
  await imagesSettled();
  await settled();
  return { ...findShown(target), firstTry };
}

async function followLinks(result) {
  const loi = book.navigation.landmarks.find((l) => l.type === "loi")
    || book.spine.spineItems.map((s) => ({ href: s.href })).find((s) => /illustrations/.test(s.href));
  const loiHref = loi ? loi.href : null;
  if (!loiHref) { result.errors.push("no list of illustrations in the spine"); return; }
  await rendition.display(loiHref);
  const hrefs = Array.from(rendition.getContents()[0].document.querySelectorAll(".loi a[href]"), (a) => a.getAttribute("href"));
  for (let i = 1; i <= hrefs.length; i++) {
    const selector = ".loi li:nth-of-type(" + i + ") a[href]";
    const href = hrefs[i - 1];
    const imageOnScreen = ({ contents, element }) => {
      const img = element.querySelector("img");
      return element.tagName.toLowerCase() === "figure" && img !== null && onScreen(screenRect(contents, img));
    };
    const { contents, element, firstTry } = await follow(loiHref, selector, imageOnScreen);
    const img = element && element.querySelector("img");
    const landed = Boolean(element && imageOnScreen({ contents, element }));
    const where = img ? screenRect(contents, img) : null;
    result.loiLinks.push({ href, landed, firstTry, imageAt: where && [where.left, where.top, where.right, where.bottom].map(Math.round) });
    if (i === 1) await window.screenshot("figure");
  }
  for (const item of book.spine.spineItems) {
    await rendition.display(item.href);
    const refLinks = Array.from(rendition.getContents()[0].document.querySelectorAll("a[role=doc-noteref]"));
    const refs = refLinks.map((a) => a.getAttribute("href"));
    // epub.js may parse a chapter as HTML, where epub:type is a plain attribute name.
    const epubType = (e) => e.getAttributeNS("http://www.idpf.org/2007/ops", "type") || e.getAttribute("epub:type");
    const refTypes = refLinks.map(epubType);
    for (let i = 0; i < refs.length; i++) {
      const selector = "a[role=doc-noteref][href='" + refs[i] + "']";
      const noteOnScreen = ({ contents, element }) => onScreen(screenRect(contents, element));
      const { contents, element, firstTry } = await follow(item.href, selector, noteOnScreen);
      const text = element ? element.textContent.trim().replace(/\\s+/g, " ") : null;
      const shown = Boolean(element && noteOnScreen({ contents, element }));
      // The markup readers pop notes up from: the reference, the note, and the note's
      // leading number as its way back.
      const back = element && element.querySelector("a[role=doc-backlink]");
      const markup = element && {
        noteref: refTypes[i],
        tag: element.tagName.toLowerCase(),
        epubType: epubType(element),
        role: element.getAttribute("role"),
        backlinkFirst: Boolean(back && element.textContent.trim().startsWith(back.textContent.trim())),
        backlink: back ? back.getAttribute("href") : null,
      };
      result.footnotes.push({ href: item.href + refs[i], shown, firstTry, text, markup });
      if (result.footnotes.length === 1) await window.screenshot("footnote");
    }
  }
}

window.check = async function () {
  const result = { pages: 0, sections: [], blankPages: [], overflow: [], images: [], figures: [], loiLinks: [], footnotes: [], errors };
  try {
    await book.ready;
    await pageThrough(result);
    await followLinks(result);
  } catch (error) {
    errors.push("check failed: " + (error && error.stack || error));
  }
  return result;
};
</script></body></html>`;

function serve(epub) {
  const files = {
    "/": { type: "text/html; charset=utf-8", body: Buffer.from(READER_HTML) },
    "/book.epub": { type: "application/epub+zip", body: epub },
  };
  const scripts = {
    "/epub.min.js": require.resolve("epubjs/dist/epub.min.js"),
    "/jszip.min.js": require.resolve("jszip/dist/jszip.min.js"),
  };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, "http://localhost").pathname;
    let file = files[url];
    if (!file && scripts[url]) {
      file = { type: "text/javascript", body: await readFile(scripts[url]) };
    }
    if (url === "/favicon.ico") {
      response.writeHead(204).end();
      return;
    }
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": file.type }).end(file.body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function main() {
  const [epubPath, screenshots] = process.argv.slice(2);
  if (!epubPath || !screenshots) {
    console.error("usage: node render-check.mjs <book.epub> <screenshot-folder>");
    process.exit(2);
  }
  await mkdir(screenshots, { recursive: true });
  const server = await serve(await readFile(epubPath));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  const report = { sizes: [] };
  try {
    for (const size of SIZES) {
      const page = await browser.newPage();
      const requestErrors = [];
      page.on("requestfailed", (r) => requestErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
      page.on("response", (r) => { if (r.status() >= 400) requestErrors.push(`HTTP ${r.status()}: ${r.url()}`); });
      page.on("pageerror", (e) => requestErrors.push(`page error: ${e.message}`));
      await page.setViewport({ width: size.width, height: size.height });
      await page.exposeFunction("screenshot", (what) =>
        page.screenshot({ path: path.join(screenshots, `${size.name}-${what}.png`) }));
      await page.goto(origin + "/", { waitUntil: "load" });
      const result = await page.evaluate(() => window.check());
      result.errors.push(...requestErrors);
      report.sizes.push({ ...size, ...result });
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
