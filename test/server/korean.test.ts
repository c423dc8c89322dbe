// The language server in Korean: a client that says `locale: "ko"` in `initialize` (as VS Code does
// with the Korean display language) gets diagnostics, related notes, hovers, code lenses, quick-fix
// titles and completion details from the Korean catalogue, over real JSON-RPC; the shapes and
// names inside them are the same as in English.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CodeActionRequest,
  CodeLensRequest,
  CompletionRequest,
  DidChangeConfigurationNotification,
  HoverRequest,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
} from 'vscode-languageserver-protocol';
import { readExample } from '../helpers/examples';
import { BROKEN_SHORTCUT_MODEL } from '../helpers/models';
import { ModelSummaryRequest, PaperTemplatesRequest, TrainableModelsRequest } from '../../src/protocol/languageServer';
import { LspTestClient, positionOf } from './lspClient';

let korean: LspTestClient;
let english: LspTestClient;

before(async () => {
  [korean, english] = await Promise.all([LspTestClient.start({ locale: 'ko' }), LspTestClient.start({ locale: 'en-US' })]);
});

after(async () => {
  await Promise.all([korean.stop(), english.stop()]);
});

const resnet50 = readExample('imagenet/resnet50.resnet');
const HANGUL = /[\uac00-\ud7a3]/;

function messageOf(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : (d.message as MarkupContent).value;
}

test('a shortcut mismatch arrives in Korean, with both shapes and both related notes', async () => {
  const uri = 'file:///ko/broken.resnet';
  const { diagnostics } = await korean.open(uri, BROKEN_SHORTCUT_MODEL);
  const mismatch = diagnostics.find((d) => d.code === 'shortcut-mismatch');
  assert.ok(mismatch, `expected a shortcut-mismatch, got ${JSON.stringify(diagnostics)}`);
  const message = messageOf(mismatch);
  assert.match(message, /^shortcut 덧셈의 모양이 맞지 않습니다 \(입력 56×56×64, residual 출력 28×28×128\): /);
  assert.match(message, /옵션 A\(새 채널을 zero-padding\) 또는 B\(1×1 projection\)를 쓰세요$/);
  assert.doesNotMatch(message, /shortcut adds/);
  const [input, branch] = mismatch.relatedInformation ?? [];
  assert.equal(input.message, '블록의 입력: 56×56×64');
  assert.equal(branch.message, 'residual 경로의 출력: 28×28×128');
  // The same text, the same place, in English from a client that asked for English.
  const englishMismatch = (await english.open(uri, BROKEN_SHORTCUT_MODEL)).diagnostics.find((d) => d.code === 'shortcut-mismatch');
  assert.ok(englishMismatch);
  assert.match(messageOf(englishMismatch), /^shortcut adds 56×56×64 to 28×28×128: /);
  assert.deepEqual(englishMismatch.range, mismatch.range);
});

test('syntax errors, unknown names and argument errors arrive in Korean', async () => {
  const uri = 'file:///ko/errors.resnet';
  const text = resnet50.replace('bottleneck(512)', 'bottlenek(512)').replace('conv 7x7, 64', 'conv 7x7, 64, strid 2').replace('head', 'head  avgpool, fc 1000 )\n  tail');
  const { diagnostics } = await korean.open(uri, text);
  assert.ok(diagnostics.length >= 3, JSON.stringify(diagnostics));
  for (const d of diagnostics) assert.match(messageOf(d), HANGUL, `not Korean: ${messageOf(d)}`);
  const unknown = diagnostics.find((d) => messageOf(d).includes('bottlenek'));
  assert.equal(unknown && messageOf(unknown), '알 수 없는 블록 `bottlenek`: `basic`, `bottleneck`을 쓰거나 `block bottlenek(…) { … }`을(를) 정의하세요. `bottleneck`을(를) 말씀하신 건가요?');
  const argument = diagnostics.find((d) => messageOf(d).includes('strid'));
  assert.ok(argument && messageOf(argument).startsWith('`conv`에는 `strid` 인수가 없습니다. `stride`을(를) 말씀하신 건가요?'), argument && messageOf(argument));
  assert.ok(diagnostics.some((d) => d.code === 'syntax'));

  const [fix] = ((await korean.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: (unknown as Diagnostic).range, context: { diagnostics: [unknown as Diagnostic] } })) ??
    []) as CodeAction[];
  assert.equal(fix.title, '`bottleneck`(으)로 바꾸기');
  assert.match(messageOf(fix.diagnostics?.[0] as Diagnostic), /^알 수 없는 블록/);
});

test('the shortcut quick fixes are titled in Korean', async () => {
  const uri = 'file:///ko/fix.resnet';
  const { diagnostics } = await korean.open(uri, BROKEN_SHORTCUT_MODEL);
  const mismatch = diagnostics.find((d) => d.code === 'shortcut-mismatch') as Diagnostic;
  const actions = ((await korean.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: mismatch.range, context: { diagnostics: [mismatch] } })) ?? []) as CodeAction[];
  assert.deepEqual(
    actions.map((a) => a.title),
    ['projection shortcut 사용 (옵션 B)', 'zero-padding shortcut 사용 (옵션 A)', '모델 `broken` 전체에 projection shortcut 사용 (옵션 B)', '모델 `broken` 전체에 zero-padding shortcut 사용 (옵션 A)'],
  );
});

test('hovers and code lenses in Korean keep the figures', async () => {
  const uri = 'file:///ko/resnet50.resnet';
  await korean.open(uri, resnet50);
  const hover = async (needle: string) => {
    const answer = await korean.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(resnet50, needle, 1) });
    assert.ok(answer, `no hover at ${needle}`);
    return (answer.contents as MarkupContent).value;
  };
  const model = await hover('resnet50');
  assert.match(model, /\*\*model resnet50\*\* · 224×224×3 → 1×1×1000, 클래스 1000개 · 레이어 50개 · shortcut B/);
  assert.match(model, /- 파라미터: 25,557,032 \(25\.56M\)/);
  assert.match(model, /- MACs: [\d,]+ = [\d.]+×10⁹ FLOPs \(곱셈-덧셈\); 논문 Table 1: 3\.8×10⁹/);
  assert.match(model, /논문의 ResNet-50 \(He et al\. 2015\)/);
  // The cost lines (compute convention, training memory, the largest batch that fits) in Korean too.
  assert.match(model, /^- 연산량 \(macs\): 이미지당 [\d,]+ MACs \(/m);
  assert.match(model, /^- 다른 도구가 보여 줄 값: /m);
  assert.match(model, /^- 학습 step, 배치 128 \(float32, momentum을 쓰는 sgd\): [\d.]+ GiB = 가중치 [\d.]+ MiB \+ 그래디언트 /m);
  assert.match(model, /^- 추론, 배치 128: [\d.]+ [MG]iB$/m);
  assert.match(model, /^- TF\.js 엔진에서 같은 step: 약 [\d.]+ GiB/m);
  assert.match(model, /^- 8\.00 GiB에 들어가는 가장 큰 학습 배치: [\d,]+$/m);
  assert.doesNotMatch(model, /Compute|Other tools|Training step|Inference|Largest|weights/);
  const stage = await hover('conv3_x');
  assert.match(stage, /\*\*stage conv3_x\*\* · 56×56×256 → 28×28×512 · 블록 4개/);
  assert.match(stage, /- 파라미터: 1,219,584 \(`resnet50`의 4\.8%\)/);
  const lenses = (await korean.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  assert.deepEqual(
    lenses.map((l) => l.command?.title),
    ['파라미터 25.56M · MACs 3.86G', '학습', '요약', '그래프'],
  );
});

test('completion details in Korean', async () => {
  const uri = 'file:///ko/complete.resnet';
  const text = 'model m {\n  input 32x32x3, classes 10\n  shortcut \n}\n';
  await korean.open(uri, text);
  const result = await korean.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: positionOf(text, 'shortcut ', 'shortcut '.length) });
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  const optionB = items.find((i) => i.label === 'B');
  assert.equal(optionB?.detail, 'identity. 모양이 바뀌는 곳에만 BatchNorm이 붙은 1×1 projection');
});

test("completion's argument descriptions in Korean: layer and block arguments, recipe settings, a block's documentation; English as before", async () => {
  const text = 'model m {\n  input 32x32x3, classes 10\n  train {\n    sgd \n  }\n  conv1 conv 3x3, 64, \n}\n';
  const complete = async (client: LspTestClient, uri: string, after: string) => {
    const result = await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: positionOf(text, after, after.length) });
    return Array.isArray(result) ? result : (result?.items ?? []);
  };
  await Promise.all([korean.open('file:///ko/args.resnet', text), english.open('file:///en/args.resnet', text)]);
  const detail = (items: readonly { label: string; detail?: string }[], label: string) => items.find((i) => i.label === label)?.detail;
  const koLayer = await complete(korean, 'file:///ko/args.resnet', 'conv 3x3, 64, ');
  const enLayer = await complete(english, 'file:///en/args.resnet', 'conv 3x3, 64, ');
  assert.equal(detail(koLayer, 'groups'), 'grouped convolution. 입력 채널 수와 출력 채널 수를 나누어야 합니다');
  assert.equal(detail(enLayer, 'groups'), 'grouped convolution; must divide input and output channels');
  assert.equal(detail(enLayer, 'bias'), 'add a bias; off by default, BatchNorm follows');
  const koRecipe = await complete(korean, 'file:///ko/args.resnet', '    sgd ');
  const enRecipe = await complete(english, 'file:///en/args.resnet', '    sgd ');
  assert.equal(detail(koRecipe, 'lr'), '학습률');
  assert.equal(detail(enRecipe, 'lr'), 'learning rate');
  assert.equal(detail(koRecipe, 'weight_decay'), 'L2 weight decay 계수');
  // A layer's or block's documentation lists its arguments, each described in the client's language.
  const documentation = (items: readonly { label: string; documentation?: unknown }[], label: string) => String(items.find((i) => i.label === label)?.documentation ?? '');
  assert.match(documentation(koLayer, 'bottleneck'), /^- `planes`: 3×3 convolution의 채널 수\. 블록의 출력은 4 × planes$/m);
  assert.match(documentation(enLayer, 'bottleneck'), /^- `planes`: channels of the 3×3; the block outputs 4 × planes$/m);
  assert.match(documentation(koLayer, 'conv'), /^- `filters`: 출력 채널 수$/m);
  assert.match(documentation(enLayer, 'conv'), /^- `filters`: output channels$/m);
});

test('the resnet.language setting overrides the client locale, from the start and when it changes', async () => {
  // VS Code without the Korean language pack says `locale: "en"`; the extension sends the setting
  // in initializationOptions (so the first diagnostics follow it) and with every settings change.
  const client = await LspTestClient.start({ locale: 'en', initializationOptions: { settings: { language: 'ko' } } });
  try {
    const uri = 'file:///ko/setting.resnet';
    const first = (await client.open(uri, BROKEN_SHORTCUT_MODEL)).diagnostics.find((d) => d.code === 'shortcut-mismatch');
    assert.match(first ? messageOf(first) : '', /^shortcut 덧셈의 모양이 맞지 않습니다/);
    const hover = async () => {
      const answer = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: positionOf(BROKEN_SHORTCUT_MODEL, 'model ', 'model '.length) });
      return (answer?.contents as MarkupContent | undefined)?.value ?? '';
    };
    assert.match(await hover(), HANGUL);

    // Back to English: the open document's diagnostics are sent again without an edit.
    const republished = client.nextDiagnostics(uri, 1);
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { language: 'en' } } });
    const english = (await republished).diagnostics.find((d) => d.code === 'shortcut-mismatch');
    assert.match(english ? messageOf(english) : '', /^shortcut adds 56×56×64 to 28×28×128: /);
    assert.doesNotMatch(await hover(), HANGUL);

    // "auto" follows the client's locale again (English here); nonsense reads as "auto".
    await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { resnet: { language: 'klingon' } } });
    assert.doesNotMatch(await hover(), HANGUL);
  } finally {
    await client.stop();
  }
});

test('"auto" follows the client locale: a Korean client with the setting at auto hears Korean', async () => {
  const client = await LspTestClient.start({ locale: 'ko-KR', initializationOptions: { settings: { language: 'auto' } } });
  try {
    const mismatch = (await client.open('file:///ko/auto.resnet', BROKEN_SHORTCUT_MODEL)).diagnostics.find((d) => d.code === 'shortcut-mismatch');
    assert.match(mismatch ? messageOf(mismatch) : '', /^shortcut 덧셈의 모양이 맞지 않습니다/);
  } finally {
    await client.stop();
  }
});

test('the summary table in Korean: headings, stage totals and totals; the rows and figures as in English', async () => {
  const uri = 'file:///ko/summary.resnet';
  await Promise.all([korean.open(uri, resnet50), english.open(uri, resnet50)]);
  const [ko, en] = await Promise.all([korean, english].map((c) => c.connection.sendRequest(ModelSummaryRequest, { uri, model: 'resnet50' })));
  assert.equal(ko.kind, 'summary');
  assert.equal(en.kind, 'summary');
  if (ko.kind !== 'summary' || en.kind !== 'summary') return;
  assert.match(ko.text, /^resnet50: 입력 224×224×3, 클래스 1000개, shortcut B, 레이어 50개$/m);
  assert.match(ko.text, /^레이어 +종류 +출력 모양 +파라미터 +MACs$/m);
  assert.match(ko.text, /^conv3_x \(스테이지 합계\) +28×28×512 +1,219,584 /m);
  assert.match(ko.text, /^학습되는 파라미터: +25,557,032 \(25\.56M\)$/m);
  assert.match(ko.text, /^학습 step, 배치 128 /m);
  // Without measured times, how to get them (src/core/report/summaryTimes.ts).
  assert.match(ko.text, /resnet50의 측정 시간이 없습니다\. 이 표를 측정 시간으로 색칠하려면 `resnet-studio profile FILE --model resnet50 --json > times\.json`을\(를\) 실행한 뒤/);
  assert.doesNotMatch(ko.text, /Trainable|stage total|Output shape|Training step|No measured times/);
  const figures = (text: string) => text.match(/\d[\d,.]*/g);
  assert.deepEqual(figures(ko.text), figures(en.text));
});

test('"Train Model" asks in Korean: the recipe in words and the memory warning', async () => {
  const client = await LspTestClient.start({ locale: 'ko', initializationOptions: { settings: { costs: { memoryBudgetMiB: 1024 } } } });
  try {
    const uri = 'file:///ko/train.resnet';
    await client.open(uri, resnet50);
    const answer = await client.connection.sendRequest(TrainableModelsRequest, { uri, text: resnet50 });
    assert.equal(answer.kind, 'models');
    if (answer.kind !== 'models') return;
    const [model] = answer.models;
    assert.match(model.recipe[0], /^배치: [\d,]+ \(논문\)$/);
    assert.ok(
      model.recipe.some((l) => /^옵티마이저: SGD, 학습률 [\d.]+, momentum 0\.9, weight decay [\d.]+/.test(l)),
      model.recipe.join('\n'),
    );
    for (const line of model.recipe) assert.match(line, /[\uac00-\ud7a3]/, line);
    assert.match(model.memoryWarnings?.pytorch ?? '', /^resnet50의 학습 step은 배치 [\d,]+에서 약 [\d.]+ GiB이 필요해 메모리 예산 1\.00 GiB보다 큽니다\. 배치를 \d+ 이하로 하세요/);
  } finally {
    await client.stop();
  }
});

test('the New from Template pick describes the templates in Korean; English as before', async () => {
  const ko = await korean.connection.sendRequest(PaperTemplatesRequest);
  const en = await english.connection.sendRequest(PaperTemplatesRequest);
  assert.deepEqual(
    ko.map((t) => t.label),
    en.map((t) => t.label),
  );
  for (const t of ko) assert.match(t.description, HANGUL, t.label);
  assert.equal(ko.find((t) => t.label === 'ResNet-50')?.description, 'ImageNet, 논문 Table 1 (bottleneck 블록)');
  assert.equal(en.find((t) => t.label === 'ResNet-20')?.description, 'CIFAR-10, paper section 4.2 and Table 6 (n = 3)');
});
