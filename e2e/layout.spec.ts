import { dropFiles, expect, freshTest as test, sampleFiles } from './fixtures';

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
  // 1366x768 at 150% display scaling
  { width: 910, height: 512 },
];

test.describe('main screen layout', () => {
  for (const size of SIZES) {
    test(`no overlapping or cut-off controls at ${size.width}x${size.height}`, async ({ page, app }) => {
      await page.setViewportSize(size);
      await page.goto(app.url);
      await expect(page.getByTestId('app-status')).toContainText('browser mode');
      await dropFiles(page, sampleFiles());
      await expect(page.getByTestId('plan-row')).toHaveCount(5);
      await expect(page.getByTestId('flash-tls-planned')).toBeVisible();
      await page.getByText("Program the board's firmware").click();
      await expect(page.getByRole('button', { name: 'Program firmware' })).toBeVisible();
      // Station mode adds its own controls to the header: they must fit too (with the Wi-Fi set, so it runs).
      await page.getByLabel('SSID').fill('bench-ap');
      await page.getByLabel('Passphrase').fill('bench-passphrase');
      await expect(page.getByTestId('wifi-status')).toHaveText('Saved.');
      await page.getByTestId('station-toggle').check();
      await expect(page.getByTestId('station-program-firmware')).toBeVisible();

      // Check the top of the screen (header, station controls), then the opened firmware section,
      // in the light theme and in the dark one (the OS setting, emulated).
      const problems = new Set<string>();
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        // The theme follows the OS: a dark page in the dark setting, a light one otherwise.
        const brightness = await page.evaluate(() => {
          const [r = 0, g = 0, b = 0] = (getComputedStyle(document.body).backgroundColor.match(/\d+/g) ?? []).map(Number);
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        });
        if (colorScheme === 'dark') expect(brightness).toBeLessThan(0.2);
        else expect(brightness).toBeGreaterThan(0.8);
        await page.evaluate(() => document.querySelectorAll('html, body, body *').forEach((el) => el.scrollTo(0, 0)));
        for (const problem of await page.evaluate(findLayoutProblems)) problems.add(`${colorScheme}: ${problem}`);
        await page.screenshot({ path: `test-results/screenshots/main-${size.width}x${size.height}-${colorScheme}.png` });
        await page.getByRole('button', { name: 'Program firmware' }).scrollIntoViewIfNeeded();
        for (const problem of await page.evaluate(findLayoutProblems)) problems.add(`${colorScheme}: ${problem}`);
      }
      expect([...problems]).toEqual([]);
    });
  }
});

/** Runs in the page: every visible control that is cut off, overlaps another, or does not fit its text. */
function findLayoutProblems(): string[] {
  const found: string[] = [];
  const controls = Array.from(document.querySelectorAll<HTMLElement>('button, input:not([type="file"]), select, textarea, .panel-header h2'));
  const name = (el: HTMLElement) => `${el.tagName.toLowerCase()}[${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? el.id}]`;
  const visibleRect = (el: HTMLElement) => {
    const rect = el.getBoundingClientRect();
    // checkVisibility() also hides what sits in a closed <details> (content-visibility: hidden).
    if (rect.width === 0 || rect.height === 0 || !el.checkVisibility({ checkVisibilityCSS: true, checkOpacity: true })) return null;
    // Clip to every scrolling ancestor: what is scrolled out of view is not "cut off".
    let clip = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
    for (let parent = el.parentElement; parent; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (/(auto|scroll|hidden)/.test(style.overflowY + style.overflowX)) {
        const p = parent.getBoundingClientRect();
        clip = { left: Math.max(clip.left, p.left), top: Math.max(clip.top, p.top), right: Math.min(clip.right, p.right), bottom: Math.min(clip.bottom, p.bottom) };
      }
    }
    const visible = { left: Math.max(rect.left, clip.left), top: Math.max(rect.top, clip.top), right: Math.min(rect.right, clip.right), bottom: Math.min(rect.bottom, clip.bottom) };
    return visible.right - visible.left > 1 && visible.bottom - visible.top > 1 ? { rect, visible } : null;
  };
  const shown = controls.map((el) => ({ el, box: visibleRect(el) })).filter((c): c is { el: HTMLElement; box: NonNullable<ReturnType<typeof visibleRect>> } => c.box !== null);
  for (const { el, box } of shown) {
    const fullyInside = box.visible.left - box.rect.left < 1 && box.rect.right - box.visible.right < 1;
    if (!fullyInside) found.push(`${name(el)} is cut off horizontally`);
    if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) found.push(`${name(el)} text does not fit its button`);
  }
  for (let i = 0; i < shown.length; i++) {
    for (let j = i + 1; j < shown.length; j++) {
      const a = shown[i]!.box.visible;
      const b = shown[j]!.box.visible;
      const overlapX = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const overlapY = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (overlapX > 2 && overlapY > 2 && !shown[i]!.el.contains(shown[j]!.el) && !shown[j]!.el.contains(shown[i]!.el)) {
        found.push(`${name(shown[i]!.el)} overlaps ${name(shown[j]!.el)}`);
      }
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) found.push('the page scrolls sideways');
  return found;
}

test.describe('the window itself', () => {
  for (const size of SIZES.slice(0, 2)) {
    test(`does not scroll at ${size.width}x${size.height}: only the columns and the log do`, async ({ page, app }) => {
      await page.setViewportSize(size);
      await page.goto(app.url);
      await dropFiles(page, sampleFiles());
      // The plan table (with its caption for screen readers) is far down the first column.
      await expect(page.getByTestId('plan-row')).toHaveCount(5);
      expect(await page.evaluate(() => document.scrollingElement!.scrollHeight)).toBeLessThanOrEqual(size.height);
      // The wheel over the header (nothing to scroll there) leaves the window where it is.
      await page.mouse.move(size.width / 2, 20);
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
    });
  }
});
