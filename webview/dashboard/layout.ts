// The page's fixed structure; everything that changes is filled in by id, as text, never as markup.
import type { PageText } from '../pageText';
import type { DashboardState } from './viewOptions';
import type { ChartName } from './chartData';

function option(value: string, label: string, current: string): string {
  return `<vscode-option value="${value}"${value === current ? ' selected' : ''}>${label}</vscode-option>`;
}

function chartCard(name: ChartName, hint: string, text: PageText): string {
  return `
  <section class="card" id="card-${name}" data-chart="${name}">
    <div class="card-head">
      <h3 class="chart-title"></h3>
      <span class="hint">${hint}</span>
      <span class="spacer"></span>
      <vscode-button secondary data-export="png" data-chart="${name}">${text('webview.dashboard.savePng')}</vscode-button>
      <vscode-button secondary data-export="csv" data-chart="${name}">${text('webview.dashboard.saveCsv')}</vscode-button>
    </div>
    <div class="chart" id="chart-${name}"></div>
  </section>`;
}

export function dashboardLayout(state: DashboardState, text: PageText): string {
  return `
<header class="run-header">
  <div class="title-row">
    <h1 id="run-title">${text('webview.dashboard.noRunSelected')}</h1>
    <span id="run-status" class="badge" hidden></span>
    <span class="spacer"></span>
    <vscode-button id="stop" secondary disabled>${text('webview.dashboard.stop')}</vscode-button>
    <vscode-button id="resume" secondary disabled>${text('webview.dashboard.resume')}</vscode-button>
    <a href="#" id="reveal" class="disabled" aria-disabled="true">${text('webview.dashboard.revealRunFolder')}</a>
  </div>
  <dl class="facts">
    <div><dt>${text('webview.dashboard.params')}</dt><dd id="fact-params">—</dd></div>
    <div><dt>MACs</dt><dd id="fact-macs">—</dd></div>
    <div><dt>${text('webview.dashboard.backend')}</dt><dd id="fact-backend">—</dd></div>
    <div><dt>${text('webview.dashboard.data')}</dt><dd id="fact-data">—</dd></div>
    <div><dt>${text('webview.dashboard.stepMemory')}</dt><dd id="fact-memory">—</dd></div>
    <div><dt>${text('webview.dashboard.imagesPerSecond')}</dt><dd id="fact-speed">—</dd></div>
    <div><dt>${text('webview.dashboard.epoch')}</dt><dd id="fact-epoch">—</dd></div>
    <div><dt>${text('webview.dashboard.step')}</dt><dd id="fact-step">—</dd></div>
    <div><dt>${text('webview.dashboard.eta')}</dt><dd id="fact-eta">—</dd></div>
    <div><dt id="fact-best-label">${text('webview.dashboard.bestValError')}</dt><dd id="fact-best">—</dd></div>
    <div><dt>${text('webview.dashboard.testError')}</dt><dd id="fact-test">—</dd></div>
  </dl>
  <p id="run-message" class="message" hidden></p>
</header>
<div class="body">
  <aside class="runs" aria-label="${text('webview.dashboard.runs')}">
    <div class="runs-head">
      <h2>${text('webview.dashboard.runs')}</h2>
      <span class="spacer"></span>
      <vscode-button id="refresh" secondary>${text('webview.dashboard.refresh')}</vscode-button>
    </div>
    <p id="runs-folder" class="hint"></p>
    <ul id="run-list"></ul>
  </aside>
  <main class="charts">
    <div class="controls">
      <label>${text('webview.dashboard.xAxis')}
        <vscode-single-select id="x-axis">${option('step', text('webview.dashboard.chart.axisStep'), state.xAxis)}${option('epoch', text('webview.dashboard.chart.axisEpoch'), state.xAxis)}</vscode-single-select>
      </label>
      <label>${text('webview.dashboard.yScale')}
        <vscode-single-select id="y-scale">${option('linear', text('webview.dashboard.optionLinear'), state.yScale)}${option('log', text('webview.dashboard.optionLog'), state.yScale)}</vscode-single-select>
      </label>
      <label>${text('webview.dashboard.show')}
        <vscode-single-select id="metric">${option('error', text('webview.dashboard.optionError'), state.metric)}${option('accuracy', text('webview.dashboard.optionAccuracy'), state.metric)}</vscode-single-select>
      </label>
      <label class="smoothing">${text('webview.dashboard.smoothing')}
        <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="${state.smoothing}">
        <output id="smoothing-value" for="smoothing">${state.smoothing.toFixed(2)}</output>
      </label>
    </div>
    <section class="card" id="experiment" hidden>
      <div class="card-head">
        <h3 id="experiment-title"></h3>
        <span class="hint">${text('webview.dashboard.experimentHint')}</span>
        <span class="spacer"></span>
        <vscode-button secondary id="experiment-csv">${text('webview.dashboard.saveCsv')}</vscode-button>
        <vscode-button secondary id="experiment-md">${text('webview.dashboard.saveMarkdown')}</vscode-button>
      </div>
      <table id="experiment-table" class="results"></table>
    </section>
    ${chartCard('loss', text('webview.dashboard.lossHint'), text)}
    ${chartCard('metric', text('webview.dashboard.metricHint'), text)}
    ${chartCard('lr', text('webview.dashboard.lrHint'), text)}
    <section class="card" id="card-responses">
      <div class="card-head">
        <h3 class="chart-title">${text('webview.dashboard.responsesTitle')}</h3>
        <span class="hint">${text('webview.dashboard.responsesHint')}</span>
        <span class="spacer"></span>
        <label><input id="responses-sorted" type="checkbox"${state.sortedResponses ? ' checked' : ''}> ${text('webview.dashboard.sortedDescending')}</label>
      </div>
      <div class="chart" id="chart-responses"></div>
    </section>
    <section class="card" id="card-gradients">
      <div class="card-head">
        <h3 class="chart-title">${text('webview.dashboard.gradientsTitle')}</h3>
        <span class="hint">${text('webview.dashboard.gradientsHint')}</span>
        <span class="spacer"></span>
        <label class="smoothing">${text('webview.dashboard.measuredAt')}
          <input id="gradients-step" type="range" min="0" max="0" step="1" value="0">
          <output id="gradients-step-value" for="gradients-step"></output>
        </label>
      </div>
      <div class="chart" id="chart-gradients"></div>
    </section>
  </main>
</div>
<div id="notice" role="status" hidden></div>`;
}
