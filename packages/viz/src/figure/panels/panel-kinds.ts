import { distributionPanel } from './distribution-panel.js';
import { numericalPanel } from './numerical-panel.js';
import type { PanelDrawer, PanelKind } from './panel-drawer.js';
import { probabilityPanel } from './probability-panel.js';
import { relationsPanel } from './relations-panel.js';

/**
 * Every panel kind and its drawer. A `Record` over core's `PanelSpec['kind']`, so a kind added
 * there fails to compile here until it has a drawer.
 */
export const PANEL_DRAWERS: Readonly<Record<PanelKind, PanelDrawer>> = {
  numerical: numericalPanel,
  probability: probabilityPanel,
  relations: relationsPanel,
  distribution: distributionPanel,
};

/** The kinds this version draws, in the order messages list them. */
export const PANEL_KINDS: readonly PanelKind[] = Object.keys(PANEL_DRAWERS) as PanelKind[];

/**
 * Whether a kind read from a table's metadata is one this version draws. Core types a spec's
 * kind as the known kinds, but a file written by a newer lens may name any string.
 *
 * @param kind - the `kind` of a panel spec, as read
 */
export function isPanelKind(kind: string): kind is PanelKind {
  return Object.hasOwn(PANEL_DRAWERS, kind);
}
