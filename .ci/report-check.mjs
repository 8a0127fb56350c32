// Checks the HTML report the way a reader meets it, in Debian's headless Chromium:
//
// - accessibility: axe-core with the WCAG 2.0 and 2.1 A and AA rules, on a desktop and a
//   phone viewport; any violation fails;
// - phone (390 CSS px wide): no table box is wider than the screen unless it is a
//   keyboard-reachable, labelled scroll region, the page itself does not scroll sideways,
//   and chart text is at least MIN_CHART_TEXT_PX tall once the chart is scaled to fit;
// - print (A4, the report's 15 mm margins): laid out at the printable width no table is
//   wider than its container and the page is not wider than the paper, so Chromium has no
//   reason to shrink the document; the PDF is then printed at scale 1 and a word set in
//   10 pt at its end is measured (with poppler's pdftotext) against the same word printed
//   alone, to prove the document was not shrunk; and no word runs past the right margin.
//
// Usage: node report-check.mjs REPORT.html OUT_DIR [--measure]
// With --measure it prints the figures and exits 0 whatever they are. Needs the packages
// playwright-core and axe-core (NODE_PATH or a node_modules beside it) and /usr/bin/chromium.

import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(path.join(process.env.NODE_PATH || process.cwd(), 'x.js'));
const { chromium } = require('playwright-core');
const axeSource = require.resolve('axe-core/axe.min.js');

const [report, outDir, flag] = process.argv.slice(2);
if (!report || !outDir) {
  console.error('usage: node report-check.mjs REPORT.html OUT_DIR [--measure]');
  process.exit(2);
}
const measureOnly = flag === '--measure';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
// A4 is 210 mm wide; the report's @page margins are 15 mm a side. 96 CSS px per inch.
const MM = 96 / 25.4;
const PRINTABLE_PX = Math.floor((210 - 2 * 15) * MM);
const MIN_CHART_TEXT_PX = 9;

const failures = [];
const fail = (message) => failures.push(message);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const url = pathToFileURL(path.resolve(report)).href;

async function open(viewport) {
  const page = await browser.newPage({ viewport });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

async function axe(page, where) {
  await page.addScriptTag({ path: axeSource });
  const result = await page.evaluate(async () => {
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const nodes = result.reduce((n, v) => n + v.nodes, 0);
  console.log(`axe (${where}): ${result.length} rule(s) violated on ${nodes} element(s)`);
  for (const v of result) {
    console.log(`  ${v.id} [${v.impact}] ${v.help}: ${v.nodes} element(s), e.g. ${v.targets.join(', ')}`);
    fail(`axe ${where}: ${v.id} on ${v.nodes} element(s)`);
  }
}

// Every table and the box around it: does it overflow, and can a keyboard user reach it?
function tableBoxes() {
  return [...document.querySelectorAll('table')].map((table) => {
    const box = table.closest('.table-wrap') || table.parentElement;
    const caption = table.caption ? table.caption.textContent.trim() : '(no caption)';
    const region = box.getAttribute('role') === 'region' && box.getAttribute('tabindex') === '0'
      && (box.getAttribute('aria-label') || box.getAttribute('aria-labelledby') || '').trim() !== '';
    const style = getComputedStyle(box);
    const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
    return {
      caption,
      tableWidth: Math.ceil(table.getBoundingClientRect().width),
      scrollWidth: box.scrollWidth,
      clientWidth: box.clientWidth,
      right: table.getBoundingClientRect().right,
      region: region && scrolls,
    };
  });
}

// Chart text height in CSS px once the SVG is scaled to its box.
function chartText() {
  let smallest = Infinity;
  let where = '';
  for (const svg of document.querySelectorAll('figure.chart svg')) {
    const viewBox = svg.viewBox.baseVal;
    const scale = viewBox && viewBox.width ? svg.getBoundingClientRect().width / viewBox.width : 1;
    for (const text of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < smallest) {
        smallest = size;
        where = `${svg.querySelector('title')?.textContent ?? 'chart'}: "${text.textContent.trim()}"`;
      }
    }
  }
  return { smallest, where, charts: document.querySelectorAll('figure.chart svg').length };
}

function reportTables(label, boxes, limit) {
  const over = boxes.filter((b) => b.scrollWidth > b.clientWidth + 1 || b.tableWidth > limit + 1);
  const hidden = over.filter((b) => !b.region);
  const worst = over.reduce((w, b) => Math.max(w, 1 - b.clientWidth / b.scrollWidth), 0);
  console.log(`${label}: ${boxes.length} tables, ${over.length} wider than their box `
    + `(${hidden.length} of them not a focusable labelled scroll region); `
    + `most hidden ${(worst * 100).toFixed(0)}% of a table's width`);
  return { over, hidden };
}

// A word set in 10 pt at the end of the document: its height in the PDF, against its
// height in a page holding nothing else, is the scale Chromium printed the document at.
const PROBE = 'Probeword';
async function addProbe(page) {
  await page.evaluate((word) => {
    const p = document.createElement('p');
    p.textContent = word;
    p.style.fontSize = '10pt';
    document.body.appendChild(p);
  }, PROBE);
}

function pdfWords(pdf) {
  const xhtml = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const pages = [...xhtml.matchAll(/<page width="([\d.]+)" height="([\d.]+)">/g)];
  const words = [...xhtml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .map((m) => ({ x0: +m[1], y0: +m[2], x1: +m[3], y1: +m[4], text: m[5] }));
  return { pages: pages.length, pageWidth: pages.length ? +pages[0][1] : 595.3, words };
}

async function checkPdf(pdf) {
  const reference = path.join(outDir, 'probe.pdf');
  const page = await browser.newPage();
  await page.setContent(`<!DOCTYPE html><html><head><style>@page { size: A4; margin: 15mm; }
    body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; margin: 0; }</style></head>
    <body><p style="font-size: 10pt">${PROBE}</p></body></html>`);
  await page.pdf({ path: reference, format: 'A4', preferCSSPageSize: true, scale: 1 });
  await page.close();
  let printed;
  let alone;
  try {
    printed = pdfWords(pdf);
    alone = pdfWords(reference);
  } catch (e) {
    fail(`pdf: pdftotext could not read the PDF (${e.message})`);
    return;
  }
  const height = (doc) => {
    const w = doc.words.filter((w) => w.text === PROBE).pop();
    return w ? w.y1 - w.y0 : NaN;
  };
  const scale = height(printed) / height(alone);
  const rightmost = printed.words.reduce((r, w) => Math.max(r, w.x1), 0);
  const marginPt = 15 / 25.4 * 72;
  console.log(`pdf: ${printed.pages} A4 pages; printed at ${(scale * 100).toFixed(0)}% `
    + `(10 pt text is ${(10 * scale).toFixed(1)} pt); rightmost word ends at ${rightmost.toFixed(1)} pt `
    + `of ${printed.pageWidth.toFixed(1)} (right margin from ${(printed.pageWidth - marginPt).toFixed(1)})`);
  if (!(scale > 0.99)) fail(`pdf: the document was printed at ${(scale * 100).toFixed(0)}%, shrunk to fit`);
  if (rightmost > printed.pageWidth - marginPt + 2) fail(`pdf: text runs into the right margin (${rightmost.toFixed(1)} pt)`);
}

// Desktop: accessibility and a screenshot.
{
  const page = await open(DESKTOP);
  await axe(page, 'desktop 1280 px');
  await page.screenshot({ path: path.join(outDir, 'desktop.png'), fullPage: false });
  await page.close();
}

// Phone.
{
  const page = await open(PHONE);
  await axe(page, 'phone 390 px');
  const boxes = await page.evaluate(tableBoxes);
  const { hidden } = reportTables('phone 390 px', boxes, PHONE.width);
  for (const b of hidden) {
    fail(`phone: table "${b.caption}" is ${b.scrollWidth} px wide in a ${b.clientWidth} px box that is not a focusable labelled scroll region`);
  }
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  console.log(`phone 390 px: page is ${pageWidth} px wide`);
  if (pageWidth > PHONE.width) fail(`phone: the page scrolls sideways (${pageWidth} px)`);
  const text = await page.evaluate(chartText);
  console.log(`phone 390 px: ${text.charts} charts; smallest chart text ${text.smallest.toFixed(1)} px (${text.where})`);
  if (text.charts > 0 && text.smallest < MIN_CHART_TEXT_PX) {
    fail(`phone: chart text is ${text.smallest.toFixed(1)} px, under ${MIN_CHART_TEXT_PX} px`);
  }
  await page.screenshot({ path: path.join(outDir, 'phone.png'), fullPage: false });
  await page.close();
}

// Print.
{
  const page = await open({ width: PRINTABLE_PX, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  const boxes = await page.evaluate(tableBoxes);
  const { over } = reportTables(`print, A4 printable width ${PRINTABLE_PX} px`, boxes, PRINTABLE_PX);
  for (const b of over) {
    fail(`print: table "${b.caption}" is ${Math.max(b.scrollWidth, b.tableWidth)} px wide, the printable width is ${PRINTABLE_PX} px`);
  }
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  console.log(`print: document is ${pageWidth} px wide at ${PRINTABLE_PX} px`);
  if (pageWidth > PRINTABLE_PX) fail(`print: the document is ${pageWidth} px wide, wider than the paper`);
  const pdf = path.join(outDir, 'report.pdf');
  await addProbe(page);
  await page.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true, scale: 1, printBackground: true });
  await page.close();
  await checkPdf(pdf);
}

await browser.close();

if (failures.length) {
  console.log(`\n${failures.length} problem(s):`);
  for (const f of failures) console.log(`  - ${f}`);
}
if (failures.length && !measureOnly) process.exit(1);
console.log(measureOnly ? 'measured (not enforced)' : 'report checks passed');
