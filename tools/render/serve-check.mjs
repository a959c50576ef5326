// Drives `bindery serve`'s reader page in headless Chromium the way an author uses it, and
// reports what it saw as JSON on stdout:
//
//   node serve-check.mjs <preview-url> <essay.md> <screenshot-folder> <first-text> <edit-text>
//
// 1. the page loads and shows the first chapter in epub.js (the page holding <first-text>);
// 2. the device menu switches the screen to each frame in turn, e-ink last (its size, its
//    filter: the 6" e-ink frame is grey and 536 × 724 CSS px);
// 3. the text-size button and night mode reach the book's own document;
// 4. an edit to essay.md (a marker replacing <edit-text>, which must be on the first page)
//    is built and shown without a reload of the page, and how long that took from the save;
// 5. a broken front matter shows its errors in the page while the last good book stays.
//
// Judging is the caller's job (tests/serve.rs); this script measures and never throws past
// its own report, so a failure shows the whole picture.

import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import puppeteer from "puppeteer-core";

const [url, essay, shots, firstText, editText] = process.argv.slice(2);
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const result = { errors: [], steps: {} };
const browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
  args: CHROMIUM_FLAGS,
});

// The text of the book's displayed document(s), read from epub.js' iframes.
const bookText = () => Array.from(document.querySelectorAll("#viewer iframe"))
  .map((frame) => frame.contentDocument && frame.contentDocument.body ? frame.contentDocument.body.textContent : "")
  .join("\n");

async function waitFor(page, fn, arg, timeout = 20000) {
  try {
    await page.waitForFunction(fn, { timeout, polling: 50 }, arg);
    return true;
  } catch (error) {
    return false;
  }
}

try {
  await mkdir(shots, { recursive: true });
  const page = await browser.newPage();
  page.on("pageerror", (error) => result.errors.push("page error: " + error.message));
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: "load" });

  // 1. The book opens (at its cover, as a reader does), and the Next button pages to the
  // first chapter.
  // A generous wait: the first build runs while the page loads, on a machine that may be busy.
  const opened = await waitFor(page, () => window.preview.loadedBuild >= 1 &&
    Array.from(document.querySelectorAll("#viewer iframe")).some((f) => f.contentDocument && f.contentDocument.body && f.contentDocument.body.childElementCount > 0),
    undefined, 60000);
  let text = await page.evaluate(bookText);
  let presses = 0;
  while (opened && !text.includes(firstText) && presses < 10) {
    await page.click("#next");
    presses += 1;
    await new Promise((resolve) => setTimeout(resolve, 400));
    text = await page.evaluate(bookText);
  }
  result.steps.firstChapter = { opened, presses, text };
  await page.screenshot({ path: path.join(shots, "1-phone.png") });

  // 2. Device frames, each in turn; e-ink last, so the later steps run in it.
  result.steps.devices = {};
  for (const device of ["colour", "tablet", "phone", "eink"]) {
    const loadsBefore = await page.evaluate(() => window.preview.loads);
    await page.select("#device-choice", device);
    await waitFor(page, (before) => window.preview.loads > before, loadsBefore);
    result.steps.devices[device] = await page.evaluate(() => {
      const screen = document.getElementById("screen");
      return {
        device: window.preview.device,
        width: screen.clientWidth,
        height: screen.clientHeight,
        filter: getComputedStyle(screen).filter,
        bookShown: Array.from(document.querySelectorAll("#viewer iframe")).length > 0,
      };
    });
    await page.screenshot({ path: path.join(shots, `2-${device}.png`) });
  }

  // 3. Text size and night mode reach the book's document.
  await page.click("#larger");
  await page.click("#larger");
  await page.click("#night");
  await new Promise((resolve) => setTimeout(resolve, 300));
  result.steps.theme = await page.evaluate(() => {
    const frame = document.querySelector("#viewer iframe");
    const body = frame && frame.contentDocument && frame.contentDocument.body;
    return {
      fontSize: window.preview.fontSize,
      bodyFontSize: body ? body.style.fontSize : null,
      bodyBackground: body ? getComputedStyle(body).backgroundColor : null,
    };
  });
  await page.screenshot({ path: path.join(shots, "3-night.png") });

  // 4. An edit is picked up.
  const buildBefore = await page.evaluate(() => window.preview.loadedBuild);
  const original = await readFile(essay, "utf8");
  const marker = "EDITED-" + Date.now();
  const saved = performance.now();
  await writeFile(essay, original.replace(editText, marker));
  const reloaded = await waitFor(page, ([before, text]) => window.preview.loadedBuild > before &&
    Array.from(document.querySelectorAll("#viewer iframe")).some((f) => f.contentDocument && f.contentDocument.body && f.contentDocument.body.textContent.includes(text)),
    [buildBefore, marker]);
  result.steps.rebuild = {
    reloaded,
    milliseconds: Math.round(performance.now() - saved),
    sameDevice: await page.evaluate(() => window.preview.device),
  };

  // 5. A broken build shows its errors and keeps the book.
  await writeFile(essay, original.replace(/^title:.*$/m, "title: [unclosed"));
  const failed = await waitFor(page, () => window.preview.errors !== null);
  result.steps.failure = await page.evaluate(() => ({
    errorsShown: !document.getElementById("errors").hidden,
    errors: document.getElementById("errors").textContent,
    bookStillShown: Array.from(document.querySelectorAll("#viewer iframe")).length > 0,
  }));
  result.steps.failure.noticed = failed;
  await page.screenshot({ path: path.join(shots, "5-failed.png") });
  await writeFile(essay, original);
} catch (error) {
  result.errors.push("check error: " + (error && error.stack || error));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
