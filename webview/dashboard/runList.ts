// The runs of the workspace's runs folder: a checkbox overlays a run on the charts, its name puts
// it in the header.
import type { RunSummary } from '../../src/protocol/webview';
import type { PageText } from '../pageText';
import { formatPercent, runLabel } from './format';

export interface RunListView {
  /** What the list says when there is no run, in the display language. */
  readonly emptyText: string;
  readonly runs: readonly RunSummary[];
  readonly selected: readonly string[];
  readonly focused?: string | undefined;
  /** The run being trained now, which may not be in the listing yet. */
  readonly liveRunDir?: string | undefined;
  readonly colorOf: (runDir: string) => string | undefined;
  /** A run's own name where the folder's name says too little (an experiment's variant and seed). */
  readonly labelOf?: (runDir: string) => string | undefined;
}

export interface RunListActions {
  toggle(runDir: string, on: boolean): void;
  focus(runDir: string): void;
}

type Checkbox = HTMLElement & { checked: boolean };

export function renderRunList(list: HTMLElement, view: RunListView, actions: RunListActions, text: PageText): void {
  const runs = [...view.runs];
  if (view.liveRunDir && !runs.some((r) => r.runDir === view.liveRunDir)) {
    const name = view.liveRunDir.split(/[\\/]/).pop() ?? view.liveRunDir;
    runs.unshift({ runDir: view.liveRunDir, name, model: '', dataset: '', status: 'running', step: 0, resumable: false });
  }
  list.replaceChildren(
    ...runs.map((run) => {
      const item = document.createElement('li');
      item.dataset.runDir = run.runDir;
      item.classList.toggle('focused', run.runDir === view.focused);
      const status = run.runDir === view.liveRunDir ? 'running' : run.status;

      const checkbox = document.createElement('vscode-checkbox') as Checkbox;
      checkbox.checked = view.selected.includes(run.runDir);
      checkbox.setAttribute('aria-label', text('webview.dashboard.overlayRun', { run: run.name }));
      checkbox.addEventListener('change', () => actions.toggle(run.runDir, checkbox.checked));

      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      const color = view.colorOf(run.runDir);
      if (color) swatch.style.backgroundColor = color;
      swatch.hidden = !color;

      const name = document.createElement('button');
      name.className = 'run-name';
      name.textContent = view.labelOf?.(run.runDir) ?? runLabel(run.runDir, run.model);
      name.title = run.runDir;
      name.addEventListener('click', () => actions.focus(run.runDir));

      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.dataset.status = status;
      badge.textContent = text(`webview.dashboard.status.${status}`);

      const detail = document.createElement('div');
      detail.className = 'detail';
      const parts = [
        run.dataset,
        run.step > 0 ? text('webview.dashboard.runSteps', { steps: run.step.toLocaleString('en-US') }) : '',
        run.testAccuracy === undefined ? '' : text('webview.dashboard.runTestError', { error: formatPercent(1 - run.testAccuracy) }),
      ];
      detail.textContent = parts.filter(Boolean).join(' · ');

      const row = document.createElement('div');
      row.className = 'row';
      row.append(checkbox, swatch, name, badge);
      item.append(row, detail);
      return item;
    }),
  );
  if (runs.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'hint';
    empty.textContent = view.emptyText;
    list.append(empty);
  }
}
