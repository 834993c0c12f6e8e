import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless flags (Playwright adds `--headless`). WebGL still works with `--disable-gpu`: Chromium 156 headless renders
 * WebGL 2 on SwiftShader (ANGLE over SwiftShader's Vulkan), in software, with or without it.
 * `--enable-unsafe-swiftshader` keeps that fallback on where Chromium gates it behind the flag (its announced change).
 */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A launched Chromium with a fresh profile, removed again on close. */
export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium headless on a fresh profile folder (`--user-data-dir`, which Playwright takes as the
 * persistent context's folder).
 */
export async function launchChromium(extraArgs: string[] = []): Promise<LaunchedChromium> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  const profile = mkdtempSync(path.join(tmpdir(), 'aa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
