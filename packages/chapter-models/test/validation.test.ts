import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadChapterCnn, loadChapterCnnMetadata, chapterCnnUrls, modelsDir } from '../src/node';

/** A copy of models/ whose `aa/metadata.json` is `edit` applied to the shipped one. */
function withMetadata(edit: (m: Record<string, unknown>) => unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-chapter-models-'));
  fs.cpSync(modelsDir(), dir, { recursive: true });
  const file = path.join(dir, 'aa', 'metadata.json');
  fs.writeFileSync(file, JSON.stringify(edit(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)));
  return dir;
}

describe('argument and file errors', () => {
  it('an unknown key names the allowed ones', async () => {
    await expect(loadChapterCnn('resnet' as never)).rejects.toThrow("loadChapterCnn: key must be one of 'plain', 'aa', got 'resnet'.");
    expect(() => chapterCnnUrls('max' as never)).toThrow("chapterCnnUrls: key must be one of 'plain', 'aa', got 'max'.");
  });

  it('a misspelt option or a bad baseUrl is named', async () => {
    await expect(loadChapterCnn('aa', { baseURL: 'x' } as never)).rejects.toThrow("loadChapterCnn: option names must be one of 'baseUrl', 'fetch', got 'baseURL'.");
    await expect(loadChapterCnn('aa', { baseUrl: 3 } as never)).rejects.toThrow('loadChapterCnn: options.baseUrl must be a URL or a non-empty string, got 3.');
    await expect(loadChapterCnn('aa', { baseUrl: 'ftp://host/models/' })).rejects.toThrow(
      "loadChapterCnn: options.baseUrl must be a directory, or a file:, http: or https: URL, got 'ftp://host/models/'.",
    );
  });

  it('a folder without the model is an error naming the missing file', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'aa-chapter-models-'));
    await expect(loadChapterCnnMetadata('plain', { baseUrl: empty })).rejects.toThrow(`loadChapterCnnMetadata: ${path.join(empty, 'plain', 'metadata.json')} is missing.`);
  });

  it('metadata with a wrong field is an error naming the file and the field', async () => {
    const bad = withMetadata((m) => ({ ...m, results: { ...(m.results as object), testAccuracy: 53.68 } }));
    await expect(loadChapterCnnMetadata('aa', { baseUrl: bad })).rejects.toThrow(
      `loadChapterCnnMetadata: ${path.join(bad, 'aa', 'metadata.json')}: results.testAccuracy must be a number in [0, 1], got 53.68.`,
    );
    const swapped = withMetadata((m) => ({ ...m, key: 'plain' }));
    await expect(loadChapterCnnMetadata('aa', { baseUrl: swapped })).rejects.toThrow("key must be 'aa' (the model it sits beside), got 'plain'.");
  });

  it('a model.json that is not JSON says so', async () => {
    const dir = withMetadata((m) => m);
    fs.writeFileSync(path.join(dir, 'aa', 'model.json'), '{"modelTopology": ');
    await expect(loadChapterCnn('aa', { baseUrl: dir })).rejects.toThrow(/^loadChapterCnn: .*model\.json is not valid JSON \(truncated, or not the file asked for\?\)/);
  });
});
