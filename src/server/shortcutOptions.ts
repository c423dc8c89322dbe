// What each shortcut option and bottleneck placement means (paper section 3.3), for hovers and
// completion alike; the words themselves are in the message catalogues (src/core/l10n).
import type { Downsample, ShortcutOption } from '../core/analysis/network';
import { msg, type MessageRef } from '../core/l10n/format';

export const shortcutMeanings: Readonly<Record<ShortcutOption, MessageRef>> = {
  A: msg('term.shortcutOption.A'),
  B: msg('term.shortcutOption.B'),
  C: msg('term.shortcutOption.C'),
  none: msg('term.shortcutOption.none'),
  identity: msg('term.shortcutOption.identity'),
};

export const downsampleMeanings: Readonly<Record<Downsample, MessageRef>> = {
  v1: msg('term.downsample.v1'),
  'v1.5': msg('term.downsample.v15'),
};
