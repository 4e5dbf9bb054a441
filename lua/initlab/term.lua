--- initlab.term: results drawn as text, for the prompt and logs (no browser needed).
--
--   term.sparkline(values [, opts])   one line of ▁▂▃▄▅▆▇█; inf shows as ↑, -inf as ↓, nan as ×.
--                                     opts.width: squeeze a long series into this many characters
--   term.chart{series = {{name=, y=, x=}, ...}, width = 60, height = 12, logy = false, title = ...}
--                                     a small chart: one series as a braille line, several as one
--                                     marker each (* + x o # @ % &); y labels at top, middle, bottom
--   term.table(headers, rows)         columns aligned, numbers to the right
-- Each returns a string (several lines for chart and table), printed by the prompt as is.
-- Values may be Lua lists or 1 x n / n x 1 initlab matrices.
local M = {}

M.blocks = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" }
M.marks = { inf = "↑", ["-inf"] = "↓", nan = "×" }
M.markers = { "*", "+", "x", "o", "#", "@", "%", "&" }

local BIG = 1.7976931348623157e308 -- the largest double

local function finite(v) return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge end

local function kind_of(v)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  return nil
end

-- A label: whole numbers as they are (iteration 14999, not 1.5e4), others with 4 significant digits.
local function num(v)
  if kind_of(v) then return kind_of(v) end
  if v == math.floor(v) and math.abs(v) < 1e9 then return string.format("%d", v) end
  return (string.format("%.4g", v):gsub("e%+?(%-?)0*(%d)", "e%1%2"))
end

local il = require "initlab"
local is_matrix = il.ismatrix

local function numbers(v, what, level)
  if is_matrix(v) then
    local r, c = v:shape()
    if r ~= 1 and c ~= 1 then
      error(("%s must be a vector (1 x n or n x 1), got a %d x %d matrix"):format(what, r, c), level)
    end
    local out = {}
    for _, row in ipairs(v:totable()) do
      for _, x in ipairs(row) do out[#out + 1] = x end
    end
    return out
  end
  if type(v) ~= "table" then error(("%s must be a list of numbers or a matrix, got %s"):format(what, type(v)), level) end
  for i = 1, #v do
    if type(v[i]) ~= "number" then error(("%s[%d] must be a number, got %s"):format(what, i, type(v[i])), level) end
  end
  return v
end

-- Text width in terminal columns (every character here is one column wide).
local function width(s) return utf8.len(s) or #s end

-- ---- sparkline ------------------------------------------------------------------------------------------

-- n values squeezed into `w` buckets: the mean of each, or its first non-finite value so an inf
-- (the lesson's first cost) is never averaged away.
local function squeeze(values, w)
  local n = #values
  if w >= n then return values end
  local out = {}
  for b = 1, w do
    local i0, i1 = math.floor((b - 1) * n / w) + 1, math.floor(b * n / w)
    local sum, count, odd = 0, 0, nil
    for i = i0, i1 do
      local v = values[i]
      if finite(v) then sum, count = sum + v, count + 1 elseif odd == nil then odd = v end
    end
    out[b] = odd or sum / count
  end
  return out
end

function M.sparkline(values, opts)
  values = numbers(values, "values", 3)
  opts = opts or {}
  if opts.width ~= nil then
    if math.type(opts.width) ~= "integer" or opts.width < 1 then error("sparkline: opts.width must be a positive integer", 2) end
    values = squeeze(values, opts.width)
  end
  local lo, hi
  for _, v in ipairs(values) do
    if finite(v) then lo = lo and math.min(lo, v) or v; hi = hi and math.max(hi, v) or v end
  end
  local out = {}
  for i, v in ipairs(values) do
    if not finite(v) then
      out[i] = M.marks[kind_of(v)]
    elseif hi - lo <= 1e-12 * math.max(math.abs(hi), math.abs(lo)) then
      out[i] = M.blocks[4] -- flat: a middle bar (rounding noise of 1e-16 is not a change worth drawing)
    else
      local t = (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5) -- halves: hi - lo may overflow
      out[i] = M.blocks[math.floor(t * 7 + 0.5) + 1]
    end
  end
  return table.concat(out)
end

-- ---- chart ----------------------------------------------------------------------------------------------

-- Braille cells: 2 x 4 dots each; dot (col, row) within a cell sets one bit of U+2800.
local braille_bit = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } }

local function plot_braille(grid, pts, W, H)
  local bits = {}
  local function dot(dx, dy) -- dot coordinates: 0..2W-1 across, 0..4H-1 down
    if dx < 0 or dy < 0 or dx >= 2 * W or dy >= 4 * H then return end
    local cx, cy = dx // 2, dy // 4
    local key = cy * W + cx
    bits[key] = (bits[key] or 0) | braille_bit[dy % 4 + 1][dx % 2 + 1]
  end
  for _, run in ipairs(pts) do
    for k = 1, #run do
      local x, y = run[k][1], run[k][2]
      if k == 1 then
        dot(x, y)
      else
        -- Every dot along the segment from the previous point, so the line has no holes.
        local x0, y0 = run[k - 1][1], run[k - 1][2]
        local steps = math.max(math.abs(x - x0), math.abs(y - y0), 1)
        for s = 1, steps do
          dot(math.floor(x0 + (x - x0) * s / steps + 0.5), math.floor(y0 + (y - y0) * s / steps + 0.5))
        end
      end
    end
  end
  for key, b in pairs(bits) do
    local cy, cx = key // W, key % W
    grid[cy + 1][cx + 1] = utf8.char(0x2800 + b)
  end
end

function M.chart(opts)
  if type(opts) ~= "table" then error("term.chart: expected a table {series = {...}}", 2) end
  local series = opts.series or {}
  if type(series) ~= "table" then error("term.chart: series must be a list of {name=, y=}", 2) end
  local W, H = opts.width or 60, opts.height or 12
  if math.type(W) ~= "integer" or W < 2 or math.type(H) ~= "integer" or H < 2 then
    error("term.chart: width and height must be integers of at least 2", 2)
  end
  local logy = opts.logy and true or false

  -- Gather points (in log10 for logy), ranges and what cannot be drawn.
  local sets, xmin, xmax, ymin, ymax = {}, nil, nil, nil, nil
  local notes = {}
  for i, s in ipairs(series) do
    if type(s) ~= "table" then error(("term.chart: series[%d] must be a table {name=, y=}"):format(i), 2) end
    local y = numbers(s.y, ("series[%d].y"):format(i), 3)
    local x = s.x ~= nil and numbers(s.x, ("series[%d].x"):format(i), 3) or nil
    if x and #x ~= #y then error(("term.chart: series[%d]: x has %d values but y has %d"):format(i, #x, #y), 2) end
    -- runs: lists of drawable points {x, y}, broken wherever a value is not drawable.
    local set = { name = s.name and tostring(s.name) or ("series " .. i), marker = M.markers[(i - 1) % #M.markers + 1],
                  runs = {}, odd = {} }
    local run
    for k = 1, #y do
      local xv, yv = x and x[k] or k, y[k]
      if finite(xv) and finite(yv) and (not logy or yv > 0) then
        local t = logy and math.log(yv, 10) or yv
        if not run then run = {}; set.runs[#set.runs + 1] = run end
        run[#run + 1] = { xv, t }
        ymin = ymin and math.min(ymin, t) or t
        ymax = ymax and math.max(ymax, t) or t
      else
        run = nil
        if finite(xv) then
          -- y <= 0 on a log scale is marked like -inf, below the chart.
          local kind = kind_of(yv)
          set.odd[#set.odd + 1] = { x = xv, kind = kind or "-inf", label = kind or "<= 0" }
        end
      end
      if finite(xv) then
        xmin = xmin and math.min(xmin, xv) or xv
        xmax = xmax and math.max(xmax, xv) or xv
      end
    end
    if #set.odd > 0 then
      local first = set.odd[1]
      notes[#notes + 1] = ("%s: %d not drawn (%s at x = %s%s)"):format(set.name, #set.odd, first.label,
        num(first.x), #set.odd > 1 and ", ..." or "")
    end
    sets[#sets + 1] = set
  end

  if ymin == nil then ymin, ymax = 0, 1 end
  if xmin == nil then xmin, xmax = 0, 1 end
  if ymin == ymax then -- a flat line sits in the middle
    local d = ymin == 0 and 1 or math.abs(ymin) * 0.1
    ymin, ymax = math.max(-BIG, ymin - d), math.min(BIG, ymax + d)
  end
  -- Positions in [0, 1], computed from halves so ranges like -1e308 .. 1e308 do not overflow.
  local function fraction(v, lo, hi)
    if hi == lo then return 0 end
    local t = (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5)
    return t == t and math.max(0, math.min(1, t)) or 0
  end
  local function col(x) return fraction(x, xmin, xmax) end
  local function row(t) return 1 - fraction(t, ymin, ymax) end -- 0 at the top

  local grid = {}
  for r = 1, H do
    grid[r] = {}
    for c = 1, W do grid[r][c] = " " end
  end
  local braille = #sets == 1 and opts.braille ~= false
  for _, set in ipairs(sets) do
    if braille then
      local runs = {}
      for i, run in ipairs(set.runs) do
        runs[i] = {}
        for k, p in ipairs(run) do
          runs[i][k] = { math.floor(col(p[1]) * (2 * W - 1) + 0.5), math.floor(row(p[2]) * (4 * H - 1) + 0.5) }
        end
      end
      plot_braille(grid, runs, W, H)
    else
      for _, run in ipairs(set.runs) do
        for _, p in ipairs(run) do
          local c = math.floor(col(p[1]) * (W - 1) + 0.5) + 1
          local r = math.floor(row(p[2]) * (H - 1) + 0.5) + 1
          grid[r][c] = set.marker
        end
      end
    end
    for _, o in ipairs(set.odd) do
      local c = math.floor(col(o.x) * (W - 1) + 0.5) + 1
      grid[o.kind == "inf" and 1 or H][c] = M.marks[o.kind]
    end
  end

  -- Labels: the top, middle and bottom values of y on the left; first and last x below.
  local function ylabel(t) return num(logy and 10 ^ t or t) end
  local labels = { [1] = ylabel(ymax), [H] = ylabel(ymin) }
  if H >= 5 then labels[(H + 1) // 2] = ylabel(ymin + (ymax - ymin) * (H - (H + 1) // 2) / (H - 1)) end
  local gutter = 0
  for _, l in pairs(labels) do gutter = math.max(gutter, width(l)) end

  local lines = {}
  if opts.title then lines[#lines + 1] = tostring(opts.title) end
  for r = 1, H do
    local l = labels[r] or ""
    local plot = table.concat(grid[r]):gsub("%s+$", "")
    lines[#lines + 1] = string.rep(" ", gutter - width(l)) .. l .. (labels[r] and " ┤" or " │") .. plot
  end
  lines[#lines + 1] = string.rep(" ", gutter + 1) .. "└" .. string.rep("─", W)
  local x0, x1 = num(xmin), num(xmax)
  lines[#lines + 1] = string.rep(" ", gutter + 2) .. x0 .. string.rep(" ", math.max(1, W - width(x0) - width(x1))) .. x1
  if #sets > 1 or (sets[1] and series[1].name) then
    local legend = {}
    for _, set in ipairs(sets) do
      legend[#legend + 1] = (braille and "⠤" or set.marker) .. " " .. set.name
    end
    lines[#lines + 1] = string.rep(" ", gutter + 2) .. table.concat(legend, "   ")
  end
  for _, n in ipairs(notes) do lines[#lines + 1] = string.rep(" ", gutter + 2) .. n end
  return table.concat(lines, "\n")
end

-- ---- table ----------------------------------------------------------------------------------------------

local function cell(v)
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    return kind_of(v) or (string.format("%.6g", v):gsub("e%+?(%-?)0*(%d)", "e%1%2"))
  end
  if v == nil then return "" end
  return tostring(v)
end

function M.table(headers, rows)
  if type(headers) ~= "table" then error("term.table: headers must be a list", 2) end
  if type(rows) ~= "table" then error("term.table: rows must be a list of lists", 2) end
  local ncols = #headers
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then error(("term.table: rows[%d] must be a list of cells"):format(i), 2) end
    ncols = math.max(ncols, #row)
  end
  local widths, numeric = {}, {}
  for j = 1, ncols do
    widths[j] = width(cell(headers[j]))
    local any, all = false, true
    for _, row in ipairs(rows) do
      widths[j] = math.max(widths[j], width(cell(row[j])))
      if row[j] ~= nil then any = true; if type(row[j]) ~= "number" then all = false end end
    end
    numeric[j] = any and all
  end
  local function line(cells, is_header)
    local parts = {}
    for j = 1, ncols do
      local s = cell(cells[j])
      local pad = string.rep(" ", widths[j] - width(s))
      local right = numeric[j] and (is_header or type(cells[j]) == "number")
      parts[j] = right and (pad .. s) or (s .. pad)
    end
    return (table.concat(parts, "  "):gsub("%s+$", ""))
  end
  local out = {}
  if #headers > 0 then
    out[1] = line(headers, true)
    local rule = {}
    for j = 1, ncols do rule[j] = string.rep("─", widths[j]) end
    out[2] = table.concat(rule, "  ")
  end
  for _, row in ipairs(rows) do out[#out + 1] = line(row, false) end
  return table.concat(out, "\n")
end

return M
