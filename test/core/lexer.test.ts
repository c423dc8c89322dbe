import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resnetLexer, significantNewlines } from '../../src/core/language/tokens';

function kinds(text: string): string[] {
  return significantNewlines(resnetLexer.tokenize(text).tokens).map((t) => `${t.tokenType.name}:${t.image === '\n' ? '\\n' : t.image}`);
}

test('dimensions split into numbers and the times operator, in both spellings', () => {
  assert.deepEqual(kinds('224x224x3'), ['NumberLiteral:224', 'Times:x', 'NumberLiteral:224', 'Times:x', 'NumberLiteral:3']);
  assert.deepEqual(kinds('7×7'), ['NumberLiteral:7', 'Times:×', 'NumberLiteral:7']);
});

test('x inside a name is not an operator; a standalone x is', () => {
  assert.deepEqual(kinds('conv2_x xavier max'), ['Identifier:conv2_x', 'Identifier:xavier', 'Identifier:max']);
  assert.deepEqual(kinds('basic(64) x n'), ['Identifier:basic', 'LParen:(', 'NumberLiteral:64', 'RParen:)', 'Times:x', 'Identifier:n']);
  assert.deepEqual(kinds('basic(64)x3'), ['Identifier:basic', 'LParen:(', 'NumberLiteral:64', 'RParen:)', 'Times:x', 'NumberLiteral:3']);
});

test('keywords need a word boundary; versions and suffixed numbers are one token', () => {
  assert.deepEqual(kinds('conv conv1 bn bnx fc fc2'), ['Conv:conv', 'Identifier:conv1', 'BatchNorm:bn', 'Identifier:bnx', 'FullyConnected:fc', 'Identifier:fc2']);
  assert.deepEqual(kinds('v1.5 32k 2M 1e-4 0.1'), ['Identifier:v1.5', 'NumberLiteral:32k', 'NumberLiteral:2M', 'NumberLiteral:1e-4', 'NumberLiteral:0.1']);
});

test('comments are set aside, and only newlines that end a statement remain', () => {
  const text = 'a 1, // c\n  2\n\n\n( 3\n)\nb /* x\n y */ 4';
  assert.deepEqual(kinds(text), [
    'Identifier:a',
    'NumberLiteral:1',
    'Comma:,',
    'NumberLiteral:2',
    'Newline:\\n',
    'LParen:(',
    'NumberLiteral:3',
    'RParen:)',
    'Newline:\\n',
    'Identifier:b',
    'NumberLiteral:4',
  ]);
  assert.equal(resnetLexer.tokenize(text).groups.comments?.length, 2);
});

test('a stray character is an error with its position, and lexing goes on', () => {
  const result = resnetLexer.tokenize('a $ b\n@c');
  assert.equal(result.errors.length, 2);
  assert.deepEqual(
    result.errors.map((e) => [e.line, e.column]),
    [
      [1, 3],
      [2, 1],
    ],
  );
  assert.deepEqual(
    result.tokens.map((t) => t.image).filter((i) => i.trim()),
    ['a', 'b', 'c'],
  );
});
