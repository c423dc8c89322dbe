// The command line in Korean: LANG=ko_KR.UTF-8 (or LC_ALL, or --lang ko) turns messages, the
// check summary and the help into Korean; LC_ALL=C and --lang en keep English; the
// FILE:LINE:COL: error: prefix stays as editors and CI problem matchers read it. Runs the built bundle.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BROKEN_SHORTCUT_MODEL } from '../helpers/models';

function cli(env: Record<string, string>, ...args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['LANG', 'LC_ALL', 'LC_MESSAGES', 'LANGUAGE'].includes(k)));
  const r = spawnSync(process.execPath, ['dist/cli.cjs', ...args], { encoding: 'utf8', env: { ...clean, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'resnet-cli-ko-'));
const broken = join(dir, 'broken.resnet');
writeFileSync(broken, BROKEN_SHORTCUT_MODEL);
const KO = { LANG: 'ko_KR.UTF-8' };

test('check with LANG=ko_KR.UTF-8: the shortcut mismatch in Korean with its shapes, the summary in Korean', () => {
  const r = cli(KO, 'check', broken, 'examples/cifar/plain56.resnet');
  assert.equal(r.code, 1);
  const [mismatch] = r.stdout.split('\n');
  assert.equal(mismatch.startsWith(`${broken}:8:12: error: `), true, mismatch);
  assert.match(mismatch, /shortcut 덧셈의 모양이 맞지 않습니다 \(입력 56×56×64, residual 출력 28×28×128\): identity shortcut은 모양을 바꿀 수 없습니다\./);
  assert.match(r.stdout, /plain56\.resnet:2:7: warning: 레이어 56개의 plain 네트워크/);
  assert.match(r.stderr, /^파일 2개 검사함: 오류 1개, 경고 1개$/m);
});

test('LC_ALL wins over LANG, and --lang over both', () => {
  const english = cli({ LC_ALL: 'C', LANG: 'ko_KR.UTF-8' }, 'check', broken);
  assert.match(english.stdout, /error: shortcut adds 56×56×64 to 28×28×128/);
  assert.match(english.stderr, /1 file checked: 1 error, 0 warnings/);
  const korean = cli({ LC_ALL: 'en_US.UTF-8' }, 'check', '--lang', 'ko', broken);
  assert.match(korean.stderr, /파일 1개 검사함: 오류 1개, 경고 0개/);
  const back = cli(KO, '--lang=en', 'check', broken);
  assert.match(back.stderr, /1 file checked/);
});

test('help in Korean names the same commands; a wrong --lang is refused by name', () => {
  const ko = cli(KO, '--help');
  const en = cli({}, '--help');
  assert.equal(ko.code, 0);
  assert.match(ko.stdout, /^사용법: resnet-studio <명령> \[옵션\]/);
  const commands = (text: string) => [...text.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]);
  assert.deepEqual(commands(ko.stdout), commands(en.stdout));
  assert.match(cli(KO, 'check', '--help').stdout, /^사용법: resnet-studio check FILE\.\.\./);
  const wrong = cli({}, '--lang', 'fr', 'check', broken);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--lang takes en or ko, not "fr"/);
  assert.match(cli(KO, 'frobnicate').stderr, /알 수 없는 명령 "frobnicate"/);
});

test('stats with LANG=ko_KR.UTF-8: the summary table in Korean, its columns lined up, the figures as in English', () => {
  const ko = cli(KO, 'stats', 'examples/cifar/resnet20.resnet');
  const en = cli({}, 'stats', 'examples/cifar/resnet20.resnet');
  assert.equal(ko.code, 0, ko.stderr);
  const lines = ko.stdout.split('\n');
  assert.match(lines[0], /^resnet20: 입력 32×32×3, 클래스 10개, shortcut A, 레이어 20개$/);
  const header = lines[2];
  assert.match(header, /^레이어 +종류 +출력 모양 +파라미터 +MACs$/);
  assert.match(ko.stdout, /^conv2_x \(스테이지 합계\) /m);
  // ResNet-20 (option A) of test/fixtures/reference-figures.md: 269,722 params, 40,551,040 MACs.
  assert.match(ko.stdout, /^학습되는 파라미터: +269,722 \(269\.72k\)$/m);
  assert.match(ko.stdout, /^MACs \(곱셈-덧셈\): +40,\d{3},\d{3} /m);
  assert.match(ko.stdout, /^학습 step, 배치 128 \(float32, momentum을 쓰는 sgd\): /m);
  assert.match(ko.stdout, /^연산량 \(macs\): 이미지당 /m);
  assert.doesNotMatch(ko.stdout, /Trainable|stage total|Training step|Output shape/);
  // Hangul takes two columns in a terminal: the right-aligned figures end where the heading does.
  const width = (text: string) => [...text].reduce((w, ch) => w + (/[\uac00-\ud7a3]/.test(ch) ? 2 : 1), 0);
  const row = lines.find((l) => l.startsWith('conv1.conv1')) ?? '';
  assert.equal(width(row), width(header), `${row}\n${header}`);
  // The same figures in both languages.
  const figures = (text: string) => text.match(/\d[\d,.]*/g);
  assert.deepEqual(figures(ko.stdout), figures(en.stdout));
});

test("train: the worker's own failure in the command line's language, English as before without it", () => {
  const notARun = mkdtempSync(join(tmpdir(), 'resnet-not-a-run-'));
  const ko = cli(KO, 'train', '--resume', notARun);
  assert.equal(ko.code, 1, ko.stderr);
  assert.match(ko.stderr, new RegExp(`^resnet-studio: 학습 실패: ${notARun}은\\(는\\) run 폴더가 아닙니다 \\(config\\.json 파일이 없습니다\\)\\. 학습 run이 만든 폴더를 주세요$`, 'm'));
  const en = cli({ LC_ALL: 'C' }, 'train', '--resume', notARun);
  assert.match(en.stderr, new RegExp(`^resnet-studio: training failed: ${notARun} is not a run folder \\(it has no config\\.json\\); pass the folder a training run created$`, 'm'));
});

/** A one-variant experiment: one epoch, 16 steps of 32 of the 512 synthetic images. */
const EXPERIMENT = `
model tiny(r) {
  input 8x8x3, classes 4
  shortcut A
  conv1    conv 3x3, 4, bn, relu
  conv2_x  basic(4) x 1
  head     avgpool, fc 4
  train {
    dataset synthetic
    batch 32
    sgd lr r, momentum 0.9
    epochs 1
    augment none
  }
}
experiment sweep {
  grid tiny(r = 0.05)
}
`;

test('experiment with LANG=ko_KR.UTF-8: its cost, queue and run lines in Korean, the figures and file names as in English', { timeout: 300_000 }, () => {
  const file = join(dir, 'sweep.resnet');
  writeFileSync(file, EXPERIMENT);
  const ko = cli(KO, 'experiment', file, '--backend', 'cpu', '--out', join(dir, 'runs-ko'));
  const en = cli({ LC_ALL: 'C' }, 'experiment', file, '--backend', 'cpu', '--out', join(dir, 'runs-en'));
  assert.equal(ko.code, 0, ko.stderr);
  assert.equal(en.code, 0, en.stderr);
  assert.match(ko.stderr, /^sweep: 변형 1개, run 1개\. 레시피대로 학습하면 MACs는 모두 \S+, 가장 큰 step에 .+ \(tiny\(r = 0\.05\)\)$/m);
  assert.match(ko.stderr, /^실험 sweep: run 1개, 학습할 run 1개 \(상태 파일: .*experiment\.json\)$/m);
  assert.match(ko.stderr, /^tiny_r0\.05: 시작함, synthetic 데이터로 16 step \(cpu\), run 폴더 /m);
  assert.match(ko.stderr, /^tiny_r0\.05: 에폭 \d+, step 16, 손실 \d\.\d{3}, 학습 오류율 \d+\.\d\d%$/m);
  assert.match(ko.stderr, /^tiny_r0\.05: 끝남, 테스트 오류율 \d+\.\d\d%$/m);
  assert.match(ko.stderr, /^결과: .*results\.csv, .*results\.md$/m);
  // English as it was, word for word.
  assert.match(en.stderr, /^sweep: 1 variants, 1 runs; with the recipes \S+ training MACs in all, .+ for the largest step \(tiny\(r = 0\.05\)\)$/m);
  assert.match(en.stderr, /^experiment sweep: 1 runs, 1 to train \(state: .*experiment\.json\)$/m);
  assert.match(en.stderr, /^tiny_r0\.05: started, 16 steps on synthetic \(cpu\) in /m);
  assert.match(en.stderr, /^tiny_r0\.05: epoch \d+, step 16, loss \d\.\d{3}, train error \d+\.\d\d%$/m);
  assert.match(en.stderr, /^tiny_r0\.05: finished, test error \d+\.\d\d%$/m);
  assert.match(en.stderr, /^results: .*results\.csv, .*results\.md$/m);
});

/** Columns line up in a terminal when every row is as wide as the header, Hangul counting two. */
const columns = (text: string) => [...text].reduce((w, ch) => w + (/[\uac00-\ud7a3]/.test(ch) ? 2 : 1), 0);

test('diff with LANG=ko_KR.UTF-8: headings, sentences and change lines in Korean, the figures and paths as in English', () => {
  const ko = cli(KO, 'diff', 'examples/cifar/resnet20.resnet', 'examples/cifar/resnet32.resnet');
  const en = cli({ LC_ALL: 'C' }, 'diff', 'examples/cifar/resnet20.resnet', 'examples/cifar/resnet32.resnet');
  assert.equal(ko.code, 0, ko.stderr);
  const lines = ko.stdout.split('\n');
  assert.match(lines[2] ?? '', /^ +이전 +새 +차이$/);
  // ResNet-20 and -32 (option A) of test/fixtures/reference-figures.md and their difference; the
  // added block by hand: 2·(3·3·16·16 + 2·16) = 4,672 params, 2·32·32·16·16·9 = 4,718,592 MACs.
  assert.match(ko.stdout, /^파라미터 +269,722 +464,154 +\+194,432$/m);
  assert.match(ko.stdout, /^activation 메모리 \(배치 128\) /m);
  assert.match(ko.stdout, /^스테이지:$/m);
  assert.match(ko.stdout, /^변경 \(추가 6, 삭제 0, 변경 0\):$/m);
  assert.match(ko.stdout, /^ {2}\+ conv2_x\.3 {2}basic, identity shortcut, 32×32×16, 파라미터 4,672, MACs 4,718,592$/m);
  assert.equal(columns(lines[3] ?? ''), columns(lines[2] ?? ''), `${lines[2]}\n${lines[3]}`);
  // English word for word as before.
  assert.match(en.stdout, /^ +old +new +delta\nParams +269,722 +464,154 +\+194,432$/m);
  assert.match(en.stdout, /^Changes \(6 added, 0 removed, 0 changed\):$/m);
  assert.match(en.stdout, /^ {2}\+ conv2_x\.3 {2}basic, identity shortcut, 32×32×16, 4,672 params, 4,718,592 MACs$/m);
  const figures = (text: string) => text.match(/\d+(?:[,.]\d+)*/g);
  assert.deepEqual(figures(ko.stdout), figures(en.stdout));
  // --json is the same in every language.
  assert.equal(
    cli(KO, 'diff', 'examples/cifar/resnet20.resnet', 'examples/cifar/resnet32.resnet', '--json').stdout,
    cli({}, 'diff', 'examples/cifar/resnet20.resnet', 'examples/cifar/resnet32.resnet', '--json').stdout,
  );
});

test('export with LANG=ko_KR.UTF-8: what it wrote and its notes in Korean; the Python the same in both languages', () => {
  const koFile = join(dir, 'ko-net.py');
  const enFile = join(dir, 'en-net.py');
  const ko = cli(KO, 'export', 'examples/cifar/resnet20.resnet', '--out', koFile);
  const en = cli({ LC_ALL: 'C' }, 'export', 'examples/cifar/resnet20.resnet', '--out', enFile);
  assert.equal(ko.code, 0, ko.stderr);
  assert.match(ko.stderr, new RegExp(`^${koFile}에 썼습니다: resnet20 \\(파라미터 269,722개\\)$`, 'm'));
  assert.match(ko.stderr, /^note: Python은 ko-net\.py을\(를\) 이름으로 import할 수 없습니다\. `import`하려면 ko_net\.py 같은 이름을 붙이세요$/m);
  assert.match(en.stderr, new RegExp(`^wrote ${enFile}: resnet20 \\(269,722 parameters\\)$`, 'm'));
  assert.match(en.stderr, /^note: Python cannot import en-net\.py by name; call it e\.g\. en_net\.py to `import` it$/m);
  assert.equal(cli(KO, 'export', 'examples/cifar/resnet20.resnet').stdout, cli({}, 'export', 'examples/cifar/resnet20.resnet').stdout);
  assert.match(cli(KO, 'export', 'examples/cifar/resnet20.resnet', '--out', join(dir, 'missing', 'x.py')).stderr, /x\.py에 쓸 수 없습니다: 폴더가 없습니다/);
});

test('profile with LANG=ko_KR.UTF-8: its title, headings and total in Korean, lined up; English as before', { timeout: 300_000 }, () => {
  const args = ['profile', 'examples/mnist/resnet8.resnet', '--engine', 'tfjs', '--backend', 'cpu', '--batch', '1', '--repeats', '1'];
  const ko = cli(KO, ...args);
  assert.equal(ko.code, 0, ko.stderr);
  const lines = ko.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^resnet8: TF\.js 실행, 장치 cpu, .*, 배치 1, 측정한 step의 중앙값$/);
  assert.match(lines[1] ?? '', /^레이어 +종류 +MACs +순전파 ms +역전파 ms +GMAC\/s$/);
  assert.match(lines.at(-1) ?? '', /^합계 +[\d,]+ +\d+\.\d{3} +\d+\.\d{3}$/);
  const row = lines.find((l) => l.startsWith('conv1.conv1')) ?? '';
  assert.equal(columns(row), columns(lines[1] ?? ''), `${lines[1]}\n${row}`);
  const en = cli({ LC_ALL: 'C' }, ...args);
  const english = en.stdout.trimEnd().split('\n');
  assert.match(english[0] ?? '', /^resnet8: TF\.js on cpu, .*, batch 1, median of the timed steps$/);
  assert.match(english[1] ?? '', /^Layer +Kind +MACs +Forward ms +Backward ms +GMAC\/s$/);
  assert.match(english.at(-1) ?? '', /^total +[\d,]+ +\d+\.\d{3} +\d+\.\d{3}$/);
});
