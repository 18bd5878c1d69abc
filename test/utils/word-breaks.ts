import type { Page } from 'playwright-core';

/**
 * Every word (a run of non-space characters) of the page's visible text that the layout split over two
 * lines, as "word (in: the element's tag.class)": `[]` when none. Each word's line boxes are read with
 * Range.getClientRects; a box that starts below the first one's middle is on another line.
 */
export function wordsSplitOverLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const split: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || el.closest('script, style, noscript, title, option, svg') || !el.checkVisibility()) continue;
      for (const m of (node.textContent ?? '').matchAll(/\S{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index!);
        range.setEnd(node, m.index! + m[0].length);
        const boxes = Array.from(range.getClientRects()).filter((r) => r.width > 0 && r.height > 0);
        if (boxes.some((b) => b.top > boxes[0].top + boxes[0].height / 2))
          split.push(`${m[0]} (in: ${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''})`);
      }
    }
    return split;
  });
}

/** Sets the page to `width` (its height kept) and lists the words split over lines there. */
export async function wordsSplitAt(page: Page, width: number): Promise<string[]> {
  const height = page.viewportSize()?.height ?? 800;
  await page.setViewportSize({ width, height });
  // Two frames: the new width laid out before anything is measured.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return wordsSplitOverLines(page);
}
