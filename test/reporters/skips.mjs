// A node:test reporter that writes one JSON line per skipped test ({ file, name, reason }), so that
// test/runAll.ts can list every skip with its reason after the run and, in CI, fail on one.
// Plain JavaScript: Node 20 loads reporters before tsx's hooks apply to them.

/**
 * @param {AsyncIterable<{ type: string, data: { name?: string, file?: string, skip?: boolean | string } }>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* skips(source) {
  for await (const event of source) {
    const { skip, name, file } = event.data;
    if (event.type !== 'test:pass' || skip === undefined || skip === false) continue;
    yield `${JSON.stringify({ file: file ?? '', name: name ?? '', reason: typeof skip === 'string' ? skip : '' })}\n`;
  }
}
