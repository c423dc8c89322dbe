// The pieces of the extension side that need no editor: the page's HTML and CSP, and the recipe
// shown before training starts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paperCifarRecipe } from '../../src/core/analysis/recipe';
import { dashboardHtml } from '../../src/extension/training/dashboardHtml';
import { describeRecipe } from '../../src/core/report/recipeText';

test('the page allows only its own bundle and its nonce', () => {
  const html = dashboardHtml({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', scriptUri: 'https://x/dashboard.js', styleUri: 'https://x/dashboard.css', nonce: 'abc123' });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'/);
  assert.match(csp, /style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|http:/);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dashboard.js"><\/script>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1, 'no inline script');
});

test('values are escaped in the HTML', () => {
  const html = dashboardHtml({ cspSource: 'x', scriptUri: 'a"><script>alert(1)</script>', styleUri: 's', nonce: 'n' });
  assert.doesNotMatch(html, /alert\(1\)<\/script>/);
});

test('the recipe says what comes from the paper and what from the file', () => {
  const paper = describeRecipe(paperCifarRecipe([32, 32, 3]));
  assert.deepEqual(paper, [
    'Batch: 128 (paper)',
    'Optimizer: SGD, lr 0.1, momentum 0.9, weight decay 0.0001 (paper)',
    'Length: 64,000 iterations (paper)',
    'Schedule: × 0.1 at 32,000, 48,000 iterations (paper)',
    'Augmentation: pad 4, crop 32, flip (paper)',
    'Normalization: subtract the per-pixel mean (paper)',
    'Validation: none (paper)',
    'Seed: 1 (paper)',
  ]);
  const own = describeRecipe({
    ...paperCifarRecipe([28, 28, 1]),
    batchSize: 64,
    unit: 'epochs',
    duration: 3,
    milestones: [2],
    augment: { pad: 0, crop: 28, flip: false },
    explicit: ['batch', 'epochs', 'decay', 'augment'],
  });
  assert.equal(own[0], 'Batch: 64');
  assert.equal(own[2], 'Length: 3 epochs');
  assert.equal(own[3], 'Schedule: × 0.1 at 2 epochs');
  assert.equal(own[4], 'Augmentation: none');
});
