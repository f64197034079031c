// Turns rows of panels into Grafana's flat panel list: ids in order, refIds A, B, ... per
// panel, the data source on every target, and grid positions that flow left to right,
// wrapping at 24 columns (a wrapped line starts below the tallest panel of the line before).
local ds = (import 'panels.libsonnet').datasource;
local refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

local finishPanel(p, id, x, y) =
  p {
    id: id,
    gridPos: { x: x, y: y, w: p.w, h: p.h },
    targets: [
      p.targets[i] { datasource: ds, editorMode: 'code', refId: refIds[i] }
      for i in std.range(0, std.length(p.targets) - 1)
    ],
  };

// state: {out: panels so far, id, x, y (top of the current line), h (its height)}
local place(state, p) =
  local wrap = state.x + p.w > 24;
  local x = if wrap then 0 else state.x;
  local y = if wrap then state.y + state.h else state.y;
  local h = if wrap then p.h else std.max(state.h, p.h);
  state {
    out: state.out + [finishPanel(p, state.id, x, y)],
    id: state.id + 1,
    x: x + p.w,
    y: y,
    h: h,
  };

local placeRow(state, row) =
  local top = state.y + state.h;
  local header = {
    id: state.id,
    type: 'row',
    title: row.title,
    description: row.description,
    collapsed: false,
    panels: [],
    gridPos: { x: 0, y: top, w: 24, h: 1 },
  };
  std.foldl(place, row.panels, state {
    out: state.out + [header],
    id: state.id + 1,
    x: 0,
    y: top + 1,
    h: 0,
  });

{
  panels(rows):: std.foldl(placeRow, rows, { out: [], id: 1, x: 0, y: 0, h: 0 }).out,
}
