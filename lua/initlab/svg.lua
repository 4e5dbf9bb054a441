--- initlab.svg: self-contained SVG figures, as text, that open in any browser offline.
--
--   svg.line_chart{title=, xlabel=, ylabel=, series={{name=, x=, y=, color=, dash=, marker=}, ...},
--                  logy=, xlim={lo, hi}, ylim={lo, hi}, width=, height=}
--   svg.scatter{title=, xlabel=, ylabel=, points={x=, y=, class=}, classes={{name=, color=, value=}, ...}, ...}
--   svg.decision_map{title=, grid={xmin=, xmax=, ymin=, ymax=, nx=, ny=, values=}, points=, classes=,
--                    mode="class"|"probability", boundary=true, ...}
--   svg.histogram{title=, values=<list or matrix> | series={{name=, values=}, ...}, bins=, range={lo, hi}, logy=, ...}
--   svg.bar_chart{title=, labels={...}, values={...} | series={{name=, values=}, ...}, logy=, ...}
--   svg.grid_points(grid)   the sample points of a decision-map grid: {x={...}, y={...}} in the order of values
--   svg.nice_ticks(lo, hi [, count])  round tick values covering [lo, hi], and their step
--   svg.escape(text)        text made safe inside SVG or HTML
--
-- Lists of numbers may be Lua lists or initlab matrices (a 1 x n or n x 1 matrix for a vector; any shape
-- for histogram values). Values a chart cannot place (inf and NaN, or y <= 0 on a log scale) are not
-- drawn: lines break there, a small mark shows where they were, and a note under the chart says what
-- was left out. Numbers are written with a tenth of a pixel of precision to keep files small.
local M = {}

M.width, M.height = 640, 400
M.font = "system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
-- Colors that stay distinct for most readers (the matplotlib / Tableau set).
M.palette = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
              "#bcbd22", "#17becf" }
-- The course draws class 0 red and class 1 blue.
M.class_colors = { [0] = "#e0393e", [1] = "#2c7bb6" }

local TEXT = "#222"
local MUTED = "#666"
local GRID = "#e8e8e8"
local AXIS = "#555"
local OUTLINE = "#1a1a1a"
local NAN_FILL = "#bdbdbd"
local BIG = 1.7976931348623157e308 -- the largest double: padded axes stop there

-- ---- small helpers --------------------------------------------------------------------------------

local function finite(v) return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge end

local escapes = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
function M.escape(text)
  local s = tostring(text)
  -- XML forbids most control characters and invalid UTF-8: either would make the whole image fail.
  s = s:gsub("[%z\1-\8\11\12\14-\31]", "")
  if not utf8.len(s) then s = s:gsub("[\128-\255]", "?") end
  return (s:gsub("[&<>\"']", escapes))
end
local esc = M.escape

-- A pixel coordinate with 0.1 px precision, without a trailing ".0". Far-off values are clamped (and a
-- NaN, which no caller should pass, becomes 0) so the SVG stays valid whatever the data.
local function px(v)
  if v ~= v then v = 0 end
  v = math.max(-1e6, math.min(1e6, v))
  local s = string.format("%.1f", v)
  if s:sub(-2) == ".0" then s = s:sub(1, -3) end
  if s == "-0" then s = "0" end
  return s
end

-- Exponents without padding or plus sign: 1e-05 -> 1e-5, 2e+06 -> 2e6.
local function tidy_exponent(s)
  return (s:gsub("e%+?(%-?)0*(%d)", "e%1%2"))
end

-- A data value for labels and notes: 4 significant digits.
local function num(v)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  return tidy_exponent(string.format("%.4g", v))
end

-- A color given by the user (escaped: it goes into an attribute), or the palette's i-th.
local function user_color(color, i)
  if color ~= nil then return esc(color) end
  return M.palette[((i or 1) - 1) % #M.palette + 1]
end

-- color mixed with white, `amount` of the color: an opaque fill attribute ("#rrggbb" colors), or the
-- color with fill-opacity for color names the mixing cannot read.
local function tint(color, amount)
  local r, g, b = tostring(color):match("^#(%x%x)(%x%x)(%x%x)$")
  if not r then
    local r1, g1, b1 = tostring(color):match("^#(%x)(%x)(%x)$")
    if r1 then r, g, b = r1 .. r1, g1 .. g1, b1 .. b1 end
  end
  if not r then return ('fill="%s" fill-opacity="%.3g"'):format(color, amount) end
  local function mix(h) return math.floor(255 - (255 - tonumber(h, 16)) * amount + 0.5) end
  return ('fill="#%02x%02x%02x"'):format(mix(r), mix(g), mix(b))
end

-- Text width in pixels, estimated (no font metrics here): about 0.6 em per character.
local function text_width(s, size)
  return (utf8.len(s) or #s) * (size or 12) * 0.6
end

local il = require "initlab"
local is_matrix = il.ismatrix

-- Errors name the chart and the argument; public functions report them at the caller's line.
local function fail(fmt, ...) error(string.format(fmt, ...), 0) end

-- A vector of numbers from a Lua list or a 1 x n / n x 1 matrix.
local function numbers(v, what)
  if is_matrix(v) then
    local r, c = v:shape()
    if r ~= 1 and c ~= 1 then fail("%s must be a vector (a 1 x n or n x 1 matrix), got a %d x %d matrix", what, r, c) end
    local out = {}
    for i, row in ipairs(v:totable()) do
      for j, x in ipairs(row) do out[(i - 1) * c + j] = x end
    end
    return out
  end
  if type(v) ~= "table" then fail("%s must be a list of numbers or a matrix, got %s", what, type(v)) end
  for i = 1, #v do
    if type(v[i]) ~= "number" then fail("%s[%d] must be a number, got %s", what, i, type(v[i])) end
  end
  return v
end

-- Every element of a list, a nested list or a matrix of any shape (histograms count them all).
local function all_numbers(v, what)
  if is_matrix(v) then
    local out = {}
    for _, row in ipairs(v:totable()) do
      for _, x in ipairs(row) do out[#out + 1] = x end
    end
    return out
  end
  if type(v) ~= "table" then fail("%s must be a list of numbers or a matrix, got %s", what, type(v)) end
  local out = {}
  for i = 1, #v do
    if type(v[i]) == "table" then
      for j, x in ipairs(v[i]) do
        if type(x) ~= "number" then fail("%s[%d][%d] must be a number, got %s", what, i, j, type(x)) end
        out[#out + 1] = x
      end
    elseif type(v[i]) == "number" then
      out[#out + 1] = v[i]
    else
      fail("%s[%d] must be a number, got %s", what, i, type(v[i]))
    end
  end
  return out
end

local function check_size(o)
  local w, h = o.width or M.width, o.height or M.height
  if not finite(w) or w < 100 or not finite(h) or h < 80 then
    fail("width and height must be numbers of at least 100 x 80 pixels, got %s x %s", tostring(w), tostring(h))
  end
  return w, h
end

local function check_lim(lim, what)
  if lim == nil then return nil end
  if type(lim) ~= "table" or not finite(lim[1]) or not finite(lim[2]) or not (lim[2] > lim[1]) then
    fail("%s must be {lo, hi} with finite lo < hi", what)
  end
  return lim
end

-- ---- ticks --------------------------------------------------------------------------------------

-- Heckbert's "nice numbers": x rounded to the nearest of 1, 2, 5 times a power of ten.
local function nice_number(x)
  local e = math.floor(math.log(x, 10))
  local f = x / 10 ^ e
  local nf = (f < 1.5 and 1) or (f < 3 and 2) or (f < 7 and 5) or 10
  return nf * 10 ^ e
end

function M.nice_ticks(lo, hi, count)
  count = count or 5
  if not (finite(lo) and finite(hi)) or not (hi > lo) then return { lo }, 0 end
  -- Heckbert rounds the range first; rounding only the step keeps the count closer to the one asked.
  local step = nice_number((hi - lo) / math.max(1, count - 1))
  -- A range too wide for doubles, or too narrow for its magnitude, has no countable multiples.
  if not finite(step) or step == 0 or math.max(math.abs(lo), math.abs(hi)) / step > 1e15 then
    return { lo, hi }, hi - lo
  end
  while true do
    local ticks = {}
    -- Multiples of step counted by integers, so 0.1 * 3 does not drift past the end.
    for i = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) do
      local v = i * step
      if math.abs(v) < step * 1e-9 then v = 0 end
      ticks[#ticks + 1] = v
    end
    if #ticks >= 2 then return ticks, step end
    -- A step rounded up past the range: the next smaller nice step (10 -> 5 -> 2 -> 1 -> 0.5 ...).
    local e = 10 ^ math.floor(math.log(step, 10) + 1e-9)
    local m = math.floor(step / e + 0.5)
    step = m == 1 and e / 2 or m == 2 and e or 2 * e
  end
end

-- Labels with exactly as many decimals as the step needs (0.2, 0.4 ... not 0.6000000000000001).
local function linear_labels(ticks, step)
  local labels, maxabs = {}, 0
  for _, v in ipairs(ticks) do maxabs = math.max(maxabs, math.abs(v)) end
  local step_exp = step > 0 and math.floor(math.log(step, 10) + 1e-9) or 0
  local decimals = math.max(0, -step_exp)
  for i, v in ipairs(ticks) do
    local s
    if v == 0 then
      s = "0"
    elseif maxabs >= 1e6 or decimals > 4 then
      local sig = math.floor(math.log(maxabs, 10) + 1e-9) - step_exp + 1
      sig = math.max(1, math.min(6, sig))
      s = tidy_exponent(string.format("%." .. (sig - 1) .. "e", v))
    else
      s = string.format("%." .. decimals .. "f", v)
    end
    labels[i] = { text = s, width = utf8.len(s) }
  end
  return labels
end

-- Powers of ten far from 1 read best as 10 with a raised exponent.
local function decade_label(k)
  if k >= -3 and k <= 4 then
    local s = string.format("%.10g", 10 ^ k)
    return { text = s, width = #s }
  end
  return { markup = '10<tspan dy="-6" font-size="9">' .. k .. "</tspan>", width = 2 + #tostring(k) * 0.8 }
end

local function log_ticks(lo, hi, count)
  local k0, k1 = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
  local ticks, labels, minor = {}, {}, {}
  if k1 - k0 >= 2 then
    -- Whole decades, thinned to about `count` of them on long ranges.
    local every = math.max(1, math.ceil((k1 - k0 + 1) / count))
    for k = k0, k1 do
      if k % every == 0 then
        ticks[#ticks + 1] = 10 ^ k
        labels[#labels + 1] = decade_label(k)
      end
    end
    if every == 1 and hi - lo <= 12 then
      for k = math.floor(lo), math.ceil(hi) do
        for m = 2, 9 do
          local l = math.log(m * 10 ^ k, 10)
          if l >= lo and l <= hi then minor[#minor + 1] = m * 10 ^ k end
        end
      end
    end
    return ticks, labels, minor
  end
  -- Less than a decade or two: 1, 2, 5 in each decade, or plain nice ticks when even those are too few.
  for k = math.floor(lo), math.ceil(hi) do
    for _, m in ipairs { 1, 2, 5 } do
      local l = math.log(m * 10 ^ k, 10)
      if l >= lo - 1e-9 and l <= hi + 1e-9 then ticks[#ticks + 1] = m * 10 ^ k end
    end
  end
  if #ticks < 3 then
    local step
    ticks, step = M.nice_ticks(10 ^ lo, 10 ^ hi, count)
    local kept = {}
    for _, v in ipairs(ticks) do if v > 0 then kept[#kept + 1] = v end end
    ticks = kept
    labels = linear_labels(ticks, step)
  else
    for i, v in ipairs(ticks) do
      local s = num(v)
      labels[i] = { text = s, width = #s }
    end
  end
  return ticks, labels, minor
end

-- ---- axes -------------------------------------------------------------------------------------------

-- An axis maps data values to pixels. lo and hi are data values (log10 of them on a log axis).
local Axis = {}
Axis.__index = Axis

-- dmin, dmax: the data range (nil when there is no data); o.pad: the fraction of the range added on each
-- side; o.lim: {lo, hi} given by the user, taken as is; o.floor: a value the axis starts at (0 for bars).
local function new_axis(dmin, dmax, o)
  local ax = setmetatable({ log = o.log or false }, Axis)
  local tr = ax.log and function(v) return math.log(v, 10) end or function(v) return v end
  if o.lim then
    if ax.log and o.lim[1] <= 0 then fail("a log axis needs limits above 0") end
    ax.lo, ax.hi = tr(o.lim[1]), tr(o.lim[2])
    return ax
  end
  local lo, hi
  if dmin == nil then
    lo, hi = 0, 1 -- nothing to show: an empty unit range
  else
    lo, hi = tr(dmin), tr(dmax)
    if o.floor ~= nil then lo = math.min(lo, tr(o.floor)) end
    if hi == lo then
      -- One value: a range around it that still shows its order of magnitude.
      local d = ax.log and 0.5 or (lo == 0 and 1 or math.abs(lo) * 0.1)
      lo, hi = math.max(-BIG, lo - d), math.min(BIG, hi + d)
    else
      -- (From halves, and kept finite, for data reaching the largest doubles.)
      local pad = (hi * 0.5 - lo * 0.5) * 2 * (o.pad or 0)
      if o.floor == nil then lo = math.max(-BIG, lo - pad) end -- an axis with a floor starts right there
      hi = math.min(BIG, hi + pad)
    end
  end
  ax.lo, ax.hi = lo, hi
  return ax
end

function Axis:place(p0, p1)
  self.p0, self.p1 = p0, p1
  local length = math.abs(p1 - p0)
  if self.categories then return end
  -- About one labelled tick per 60 px across, 40 px up.
  local count = math.max(2, math.floor(length / (self.vertical and 40 or 60)))
  if self.log then
    self.ticks, self.labels, self.minor = log_ticks(self.lo, self.hi, count)
  else
    local step
    self.ticks, step = M.nice_ticks(self.lo, self.hi, count)
    self.labels, self.minor = linear_labels(self.ticks, step), {}
  end
end

function Axis:map(v)
  if self.categories then
    local n = #self.categories
    return self.p0 + (v - 0.5) / n * (self.p1 - self.p0)
  end
  local t = self.log and math.log(v, 10) or v
  -- Halves first: hi - lo overflows for data spanning -1e308 .. 1e308.
  return self.p0 + (t * 0.5 - self.lo * 0.5) / (self.hi * 0.5 - self.lo * 0.5) * (self.p1 - self.p0)
end

-- The widest tick label in pixels (to size the left margin).
function Axis:label_width(size)
  local w = 0
  for _, l in ipairs(self.labels or {}) do w = math.max(w, l.width * size * 0.6) end
  return w
end

-- ---- drawing -----------------------------------------------------------------------------------------

-- The text buffer of one figure.
local Canvas = {}
Canvas.__index = Canvas

local function new_canvas() return setmetatable({ parts = {} }, Canvas) end

function Canvas:add(fmt, ...)
  self.parts[#self.parts + 1] = select("#", ...) > 0 and string.format(fmt, ...) or fmt
end

function Canvas:text(x, y, content, attrs, is_markup)
  self:add('<text x="%s" y="%s"%s>%s</text>', px(x), px(y), attrs and (" " .. attrs) or "",
           is_markup and content or esc(content))
end

local function label_markup(l) return l.markup or esc(l.text) end

-- Polyline through pixel points {x1, y1, x2, y2, ...}; long runs keep, per pixel column, the first,
-- lowest, highest and last point: the picture is the same and 15000 iterations stay a few kilobytes.
local function decimate(pts)
  if #pts <= 2 * 2000 then return pts end
  local out = {}
  local i, n = 1, #pts
  while i <= n do
    local col = math.floor(pts[i])
    local first, last, lo, hi = i, i, i, i
    local j = i + 2
    while j <= n and math.floor(pts[j]) == col do
      last = j
      if pts[j + 1] < pts[lo + 1] then lo = j end
      if pts[j + 1] > pts[hi + 1] then hi = j end
      j = j + 2
    end
    local keep = { first, lo, hi, last }
    table.sort(keep)
    local prev
    for _, k in ipairs(keep) do
      if k ~= prev then out[#out + 1] = pts[k]; out[#out + 1] = pts[k + 1] end
      prev = k
    end
    i = j
  end
  return out
end

local function path_data(pts)
  local d = { "M", px(pts[1]), " ", px(pts[2]) }
  for k = 3, #pts, 2 do
    d[#d + 1] = (k == 3) and "L" or " "
    d[#d + 1] = px(pts[k]); d[#d + 1] = " "; d[#d + 1] = px(pts[k + 1])
  end
  return table.concat(d)
end

local clip_count = 0

-- Lays out and draws one chart. spec: x, y (axes), legend (items), notes (strings), and
-- draw(canvas, X, Y, box) for the data, drawn clipped to the plot area, then overlay(canvas, X, Y, box)
-- for marks that may touch the edges. spec.grid=false leaves out grid lines (maps fill the area).
local function render(o, spec)
  local W, H = check_size(o)
  local c = new_canvas()
  local X, Y = spec.x, spec.y
  Y.vertical = true
  local notes = spec.notes or {}
  if #notes > 3 then
    local more = #notes - 2
    notes = { notes[1], notes[2], ("... and %d more"):format(more) }
  end

  -- Vertical layout: title, legend rows, plot, tick labels, x label, notes.
  local top = 10
  local title_y
  if o.title then title_y = top + 16; top = top + 26 end
  local legend_rows, row = {}, nil
  local avail = W - 40
  for _, item in ipairs(spec.legend or {}) do
    local w = 26 + text_width(item.name, 12) + 18
    if not row or row.width + w > avail then
      row = { width = 0 }
      legend_rows[#legend_rows + 1] = row
    end
    row[#row + 1] = { item = item, width = w }
    row.width = row.width + w
  end
  local legend_top = top
  top = top + #legend_rows * 20 + 8
  local xlabel_rotate = X.categories and X.rotate
  local bottom = H - 10 - #notes * 15 - (o.xlabel and 22 or 0) - (xlabel_rotate and X.rotate_height or 22)
  bottom = math.max(bottom, top + 20) -- a small figure with many notes still gets a plot area

  Y:place(bottom, top)
  local left = 12 + (o.ylabel and 20 or 0) + Y:label_width(11) + 8
  local right = W - 20
  local ratio = spec.equal and (X.hi * 0.5 - X.lo * 0.5) / (Y.hi * 0.5 - Y.lo * 0.5)
  if ratio and ratio > 0.05 and ratio < 20 then
    -- One data unit as long across as up, so circles stay circles: shrink the longer side, centred.
    local w, h = right - left, bottom - top
    if w / h > ratio then
      local mid = (left + right) / 2
      left, right = mid - h * ratio / 2, mid + h * ratio / 2
    else
      local mid = (top + bottom) / 2
      top, bottom = mid - w / ratio / 2, mid + w / ratio / 2
      Y:place(bottom, top)
    end
  end
  X:place(left, right)
  local box = { left = left, right = right, top = top, bottom = bottom }

  c:add('<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" ' ..
        'font-family="%s" font-size="12" fill="%s" role="img">', px(W), px(H), px(W), px(H), esc(M.font), TEXT)
  if o.title then c:add("<title>%s</title>", esc(o.title)) end
  c:add('<rect width="100%" height="100%" fill="#fff"/>')

  -- Grid lines under everything.
  if spec.grid ~= false then
    c:add('<g stroke="%s" stroke-width="1">', GRID)
    for _, t in ipairs(Y.ticks) do
      local y = Y:map(t)
      c:add('<path d="M%s %sH%s"/>', px(left), px(y), px(right))
    end
    if not X.categories then
      for _, t in ipairs(X.ticks) do
        local x = X:map(t)
        c:add('<path d="M%s %sV%s"/>', px(x), px(top), px(bottom))
      end
    end
    c:add("</g>")
  end

  -- The data, clipped to the plot area.
  clip_count = clip_count + 1
  local clip = "plot" .. clip_count
  c:add('<clipPath id="%s"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath>', clip, px(left), px(top),
        px(right - left), px(bottom - top))
  c:add('<g clip-path="url(#%s)">', clip)
  spec.draw(c, X, Y, box)
  c:add("</g>")

  -- Axes, ticks and their labels.
  c:add('<g stroke="%s" stroke-width="1" fill="none">', AXIS)
  if spec.frame then
    c:add('<rect x="%s" y="%s" width="%s" height="%s"/>', px(left), px(top), px(right - left), px(bottom - top))
  else
    c:add('<path d="M%s %sV%sH%s"/>', px(left), px(top), px(bottom), px(right))
  end
  local marks = {}
  for _, t in ipairs(Y.ticks) do marks[#marks + 1] = ("M%s %sh-5"):format(px(left), px(Y:map(t))) end
  for _, t in ipairs(Y.minor or {}) do marks[#marks + 1] = ("M%s %sh-3"):format(px(left), px(Y:map(t))) end
  if X.categories then
    for i = 1, #X.categories do marks[#marks + 1] = ("M%s %sv5"):format(px(X:map(i)), px(bottom)) end
  else
    for _, t in ipairs(X.ticks) do marks[#marks + 1] = ("M%s %sv5"):format(px(X:map(t)), px(bottom)) end
    for _, t in ipairs(X.minor or {}) do marks[#marks + 1] = ("M%s %sv3"):format(px(X:map(t)), px(bottom)) end
  end
  if #marks > 0 then c:add('<path d="%s"/>', table.concat(marks)) end
  c:add("</g>")

  c:add('<g font-size="11" fill="%s">', MUTED)
  for i, t in ipairs(Y.ticks) do
    c:text(left - 8, Y:map(t) + 4, label_markup(Y.labels[i]), 'text-anchor="end"', true)
  end
  if X.categories then
    for i, name in ipairs(X.categories) do
      local x = X:map(i)
      if xlabel_rotate then
        c:text(x, bottom + 14, name, ('text-anchor="end" transform="rotate(-35 %s %s)"'):format(px(x), px(bottom + 14)))
      else
        c:text(x, bottom + 18, name, 'text-anchor="middle"')
      end
    end
  else
    for i, t in ipairs(X.ticks) do
      c:text(X:map(t), bottom + 18, label_markup(X.labels[i]), 'text-anchor="middle"', true)
    end
  end
  c:add("</g>")

  -- Marks on the edges (inf values), above the axes so they are never hidden.
  if spec.overlay then spec.overlay(c, X, Y, box) end

  local label_base = bottom + (xlabel_rotate and X.rotate_height or 22)
  if o.xlabel then
    c:text((left + right) / 2, label_base + 16, o.xlabel, 'text-anchor="middle" font-size="13"')
  end
  if o.ylabel then
    local x, y = 18, (top + bottom) / 2
    c:text(x, y, o.ylabel, ('text-anchor="middle" font-size="13" transform="rotate(-90 %s %s)"'):format(px(x), px(y)))
  end
  if o.title then
    c:text(W / 2, title_y, o.title, 'text-anchor="middle" font-size="15" font-weight="600"')
  end

  -- Legend rows, centred under the title.
  for r, items in ipairs(legend_rows) do
    local x = (W - items.width) / 2
    local y = legend_top + (r - 1) * 20 + 10
    for _, entry in ipairs(items) do
      local item = entry.item
      if item.kind == "point" then
        c:add('<circle cx="%s" cy="%s" r="4.5" fill="%s" stroke="%s" stroke-width="0.8"/>', px(x + 11), px(y),
              item.color, OUTLINE)
      elseif item.kind == "box" then
        c:add('<rect x="%s" y="%s" width="14" height="11" fill="%s" fill-opacity="%s" stroke="%s"/>', px(x + 4),
              px(y - 5.5), item.color, item.opacity or 0.8, item.color)
      else
        c:add('<path d="M%s %sh20" stroke="%s" stroke-width="2.5"%s/>', px(x + 1), px(y), item.color,
              item.dash and ' stroke-dasharray="5 3"' or "")
      end
      c:text(x + 26, y + 4, item.name)
      x = x + entry.width
    end
  end

  for i, note in ipairs(notes) do
    c:text(12, H - 10 - (#notes - i) * 15, note, ('font-size="11" fill="%s"'):format(MUTED))
  end
  c:add("</svg>\n")
  return table.concat(c.parts, "\n")
end

-- Wraps a chart so that its errors read "svg.name: ..." at the caller's line.
local function public(name, impl)
  return function(o)
    if type(o) ~= "table" then error(("svg.%s: expected a table of options, got %s"):format(name, type(o)), 2) end
    local ok, result = pcall(impl, o)
    if not ok then error(("svg.%s: %s"):format(name, tostring(result)), 2) end
    return result
  end
end

-- Small marks for values a chart cannot place: a triangle on the top edge for +inf, on the bottom edge
-- for -inf (and y <= 0 on a log axis), a cross on the bottom edge for NaN.
local function edge_mark(c, x, kind, color, box, label)
  if label then
    -- Beside the mark, inside the plot: "inf" at the top edge, the value at the bottom one.
    local right_side = x < (box.left + box.right) / 2
    c:text(x + (right_side and 7 or -7), kind == "top" and box.top + 9 or box.bottom - 4, label,
           ('font-size="10" fill="%s" text-anchor="%s"'):format(color, right_side and "start" or "end"))
  end
  if kind == "top" then
    c:add('<path d="M%s %sl-4.5 8h9z" fill="%s" stroke="%s" stroke-width="0.6"/>', px(x), px(box.top), color,
          OUTLINE)
  elseif kind == "bottom" then
    c:add('<path d="M%s %sl-4.5 -8h9z" fill="%s" stroke="%s" stroke-width="0.6"/>', px(x), px(box.bottom), color,
          OUTLINE)
  else
    c:add('<path d="M%s %sl7 7m0 -7l-7 7" stroke="%s" stroke-width="2"/>', px(x - 3.5), px(box.bottom - 10), color)
  end
end

-- What kept a value off the chart: its text for a note, the kind of edge mark, and its category.
local function why_skipped(v, log)
  if v ~= v then return "nan", "nan", "nan" end
  if v == math.huge then return "inf", "top", "inf" end
  if v == -math.huge then return "-inf", "bottom", "-inf" end
  if log and v <= 0 then return num(v) .. " (log scale needs > 0)", "bottom", "<= 0" end
  return num(v), nil, num(v)
end

-- One note line per series: the values themselves when few, counts per category when many.
local function describe_skipped(name, skipped)
  if #skipped == 0 then return nil end
  if #skipped <= 3 then
    local parts = {}
    for i, s in ipairs(skipped) do parts[i] = ("y = %s at x = %s"):format(s.why, num(s.x)) end
    return ("%s: not drawn: %s"):format(name, table.concat(parts, "; "))
  end
  local counts, order = {}, {}
  for _, s in ipairs(skipped) do
    if not counts[s.cat] then counts[s.cat] = 0; order[#order + 1] = s.cat end
    counts[s.cat] = counts[s.cat] + 1
  end
  local parts = {}
  for _, k in ipairs(order) do parts[#parts + 1] = ("%d %s"):format(counts[k], k) end
  return ("%s: %d values not drawn (%s)"):format(name, #skipped, table.concat(parts, ", "))
end

-- ---- line chart ---------------------------------------------------------------------------------------

local function line_chart(o)
  local series = o.series or {}
  if type(series) ~= "table" then fail("series must be a list of {name=, x=, y=}") end
  local logy = o.logy and true or false
  local prepared, notes, legend = {}, {}, {}
  local xmin, xmax, ymin, ymax
  local function widen_x(v) xmin = xmin and math.min(xmin, v) or v; xmax = xmax and math.max(xmax, v) or v end
  for i, s in ipairs(series) do
    if type(s) ~= "table" then fail("series[%d] must be a table {name=, x=, y=}", i) end
    local what = ("series[%d]"):format(i)
    local y = numbers(s.y, what .. ".y")
    local x = s.x ~= nil and numbers(s.x, what .. ".x") or nil
    if x and #x ~= #y then fail("%s: x has %d values but y has %d", what, #x, #y) end
    local runs, run, skipped = {}, nil, {}
    for k = 1, #y do
      local xv, yv = x and x[k] or k, y[k]
      if finite(xv) and finite(yv) and (not logy or yv > 0) then
        if not run then run = {}; runs[#runs + 1] = run end
        run[#run + 1] = xv; run[#run + 1] = yv
        widen_x(xv)
        ymin = ymin and math.min(ymin, yv) or yv
        ymax = ymax and math.max(ymax, yv) or yv
      else
        run = nil
        local why, kind, cat = why_skipped(yv, logy)
        if finite(xv) then widen_x(xv) else kind, cat = nil, "x not finite" end
        skipped[#skipped + 1] = { x = xv, why = why, kind = kind, cat = cat }
      end
    end
    local name = s.name and tostring(s.name) or ("series " .. i)
    local color = user_color(s.color, i)
    prepared[#prepared + 1] = { runs = runs, skipped = skipped, color = color, dash = s.dash, marker = s.marker }
    if s.name then legend[#legend + 1] = { name = name, color = color, dash = s.dash } end
    notes[#notes + 1] = describe_skipped(name, skipped)
  end
  if ymin == nil then notes[#notes + 1] = "no values to draw" end

  local X = new_axis(xmin, xmax, { lim = check_lim(o.xlim, "xlim"), pad = 0 })
  local Y = new_axis(ymin, ymax, { lim = check_lim(o.ylim, "ylim"), pad = 0.05, log = logy })

  return render(o, {
    x = X, y = Y, legend = legend, notes = notes,
    draw = function(c, X, Y)
      for _, s in ipairs(prepared) do
        local d = {}
        local dots = {}
        for _, run in ipairs(s.runs) do
          local pts = {}
          for k = 1, #run, 2 do
            pts[k] = X:map(run[k]); pts[k + 1] = Y:map(run[k + 1])
          end
          if #pts > 2 then d[#d + 1] = path_data(decimate(pts)) end
          if s.marker then
            for k = 1, #pts, 2 do dots[#dots + 1] = { pts[k], pts[k + 1] } end
          elseif #pts == 2 then
            dots[#dots + 1] = pts -- a lone point between gaps: a dot, or it would not show at all
          end
        end
        if #d > 0 then
          c:add('<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"%s/>',
                table.concat(d), s.color, s.dash and ' stroke-dasharray="6 4"' or "")
        end
        for _, p in ipairs(dots) do
          c:add('<circle cx="%s" cy="%s" r="3" fill="%s"/>', px(p[1]), px(p[2]), s.color)
        end
      end
    end,
    overlay = function(c, X, _, box)
      for _, s in ipairs(prepared) do
        for _, sk in ipairs(s.skipped) do
          if sk.kind and finite(sk.x) then
            local x = X:map(sk.x)
            if x >= box.left - 0.5 and x <= box.right + 0.5 then
              edge_mark(c, x, sk.kind, s.color, box, #s.skipped <= 3 and sk.cat or nil)
            end
          end
        end
      end
    end,
  })
end

-- ---- points and classes -------------------------------------------------------------------------------

-- The class table: value -> {name, color}. classes[i].value defaults to i - 1 (labels 0, 1, ... as in
-- the course); without classes, labels 0 and 1 are red and blue and others take the palette.
local function class_table(classes)
  local by_value, list = {}, {}
  if classes ~= nil then
    if type(classes) ~= "table" then fail("classes must be a list of {name=, color=}") end
    for i, cl in ipairs(classes) do
      if type(cl) ~= "table" then fail("classes[%d] must be a table {name=, color=}", i) end
      local value = cl.value ~= nil and cl.value or (i - 1)
      if type(value) ~= "number" then fail("classes[%d].value must be a number", i) end
      local entry = { value = value, name = cl.name and tostring(cl.name) or ("class " .. num(value)),
                      color = cl.color and user_color(cl.color) or M.class_colors[value] or user_color(nil, i) }
      by_value[value] = entry
      list[#list + 1] = entry
    end
  end
  return by_value, list
end

local function class_entry(by_value, list, value)
  local e = by_value[value]
  if e then return e end
  e = { value = value, name = "class " .. num(value),
        color = M.class_colors[value] or M.palette[(#list) % #M.palette + 1] }
  by_value[value] = e
  list[#list + 1] = e
  return e
end

-- Reads points={x=, y=, class=}: returns the drawable points, notes and the classes seen.
local function read_points(points, by_value, list, notes)
  if points == nil then return {} end
  if type(points) ~= "table" then fail("points must be a table {x=, y=, class=}") end
  local x = numbers(points.x, "points.x")
  local y = numbers(points.y, "points.y")
  if #x ~= #y then fail("points.x has %d values but points.y has %d", #x, #y) end
  local cls = points.class ~= nil and numbers(points.class, "points.class") or nil
  if cls and #cls ~= #x then fail("points.class has %d values but there are %d points", #cls, #x) end
  local out, skipped = {}, 0
  for k = 1, #x do
    if finite(x[k]) and finite(y[k]) then
      local e
      if cls then
        if cls[k] ~= cls[k] then e = { color = NAN_FILL } else e = class_entry(by_value, list, cls[k]) end
      end
      out[#out + 1] = { x = x[k], y = y[k], color = e and e.color or M.palette[1] }
    else
      skipped = skipped + 1
    end
  end
  if skipped > 0 then notes[#notes + 1] = ("%d points with inf or nan coordinates not drawn"):format(skipped) end
  return out
end

local function draw_points(c, pts, X, Y, radius)
  c:add('<g stroke="%s" stroke-width="0.7">', OUTLINE)
  for _, p in ipairs(pts) do
    c:add('<circle cx="%s" cy="%s" r="%s" fill="%s"/>', px(X:map(p.x)), px(Y:map(p.y)), px(radius), p.color)
  end
  c:add("</g>")
end

local function point_radius(o, n) return o.radius or (n > 3000 and 2 or n > 800 and 3 or 4) end

local function legend_of(list, kind)
  local legend = {}
  table.sort(list, function(a, b) return a.value < b.value end)
  for _, e in ipairs(list) do legend[#legend + 1] = { name = e.name, color = e.color, kind = kind } end
  return legend
end

local function scatter(o)
  local notes = {}
  local by_value, list = class_table(o.classes)
  local pts = read_points(o.points, by_value, list, notes)
  local xmin, xmax, ymin, ymax
  for _, p in ipairs(pts) do
    xmin = xmin and math.min(xmin, p.x) or p.x; xmax = xmax and math.max(xmax, p.x) or p.x
    ymin = ymin and math.min(ymin, p.y) or p.y; ymax = ymax and math.max(ymax, p.y) or p.y
  end
  if #pts == 0 then notes[#notes + 1] = "no points to draw" end
  local X = new_axis(xmin, xmax, { lim = check_lim(o.xlim, "xlim"), pad = 0.05 })
  local Y = new_axis(ymin, ymax, { lim = check_lim(o.ylim, "ylim"), pad = 0.05 })
  return render(o, {
    x = X, y = Y, notes = notes, legend = legend_of(list, "point"), equal = o.equal,
    draw = function(c, X, Y) draw_points(c, pts, X, Y, point_radius(o, #pts)) end,
  })
end

-- ---- decision map -----------------------------------------------------------------------------------------

local function check_grid(grid)
  if type(grid) ~= "table" then fail("grid must be a table {xmin=, xmax=, ymin=, ymax=, nx=, ny=, values=}") end
  for _, k in ipairs { "xmin", "xmax", "ymin", "ymax" } do
    if not finite(grid[k]) then fail("grid.%s must be a finite number, got %s", k, tostring(grid[k])) end
  end
  if not (grid.xmax > grid.xmin and grid.ymax > grid.ymin) then fail("grid needs xmin < xmax and ymin < ymax") end
  for _, k in ipairs { "nx", "ny" } do
    if math.type(grid[k]) ~= "integer" and not (finite(grid[k]) and grid[k] == math.floor(grid[k])) or grid[k] < 1 then
      fail("grid.%s must be a positive integer, got %s", k, tostring(grid[k]))
    end
  end
  return math.tointeger(grid.nx), math.tointeger(grid.ny)
end

-- Sample coordinates: nx points from xmin to xmax inclusive (like numpy's linspace / meshgrid).
local function sample(lo, hi, n, k)
  if n == 1 then return (lo + hi) / 2 end
  return lo + (k - 1) * (hi - lo) / (n - 1)
end

function M.grid_points(grid)
  local ok, nx, ny = pcall(check_grid, grid)
  if not ok then error("svg.grid_points: " .. nx, 2) end
  local xs, ys = {}, {}
  for i = 1, ny do
    for j = 1, nx do
      xs[#xs + 1] = sample(grid.xmin, grid.xmax, nx, j)
      ys[#ys + 1] = sample(grid.ymin, grid.ymax, ny, i)
    end
  end
  return { x = xs, y = ys }
end

-- values as rows: rows[i][j] is the value at (x_j, y_i), row 1 at ymin. Accepts an ny x nx matrix or
-- nested table, or nx*ny values in the order of grid_points.
local function grid_rows(values, nx, ny)
  if values == nil then fail("grid.values is missing") end
  local rows
  if is_matrix(values) then
    local r, c = values:shape()
    if r == ny and c == nx then
      rows = values:totable()
    elseif (r == 1 or c == 1) and r * c == nx * ny then
      values = numbers(values, "grid.values")
    else
      fail("grid.values must be a %d x %d matrix (ny x nx) or hold %d values, got a %d x %d matrix", ny, nx,
           nx * ny, r, c)
    end
  elseif type(values) ~= "table" then
    fail("grid.values must be a matrix or a table, got %s", type(values))
  elseif type(values[1]) == "table" then
    if #values ~= ny then fail("grid.values has %d rows, expected ny = %d", #values, ny) end
    for i, row in ipairs(values) do
      if type(row) ~= "table" or #row ~= nx then fail("grid.values[%d] must hold nx = %d values", i, nx) end
      for j = 1, nx do
        if type(row[j]) ~= "number" then fail("grid.values[%d][%d] must be a number, got %s", i, j, type(row[j])) end
      end
    end
    rows = values
  end
  if not rows then
    values = numbers(values, "grid.values")
    if #values ~= nx * ny then fail("grid.values holds %d values, expected nx * ny = %d", #values, nx * ny) end
    rows = {}
    for i = 1, ny do
      local row = {}
      for j = 1, nx do row[j] = values[(i - 1) * nx + j] end
      rows[i] = row
    end
  end
  return rows
end

-- The boundary at `level` by marching squares: segments across each square of four samples whose values
-- lie on both sides of the level, placed by linear interpolation along the square's edges.
local function boundary_segments(rows, nx, ny, level)
  local segs = {}
  -- edges of a square: 1 bottom (a-b), 2 right (b-c), 3 top (d-c), 4 left (a-d)
  local cases = {
    [1] = { 4, 1 }, [2] = { 1, 2 }, [3] = { 4, 2 }, [4] = { 2, 3 }, [6] = { 1, 3 }, [7] = { 4, 3 },
    [8] = { 4, 3 }, [9] = { 1, 3 }, [11] = { 2, 3 }, [12] = { 4, 2 }, [13] = { 1, 2 }, [14] = { 4, 1 },
  }
  for i = 1, ny - 1 do
    for j = 1, nx - 1 do
      local a, b, cc, d = rows[i][j], rows[i][j + 1], rows[i + 1][j + 1], rows[i + 1][j]
      if finite(a) and finite(b) and finite(cc) and finite(d) then
        local code = (a >= level and 1 or 0) + (b >= level and 2 or 0) + (cc >= level and 4 or 0) + (d >= level and 8 or 0)
        if code ~= 0 and code ~= 15 then
          local function at(e)
            local function lerp(p, q) return (level - p) / (q - p) end
            if e == 1 then return j + lerp(a, b), i end
            if e == 2 then return j + 1, i + lerp(b, cc) end
            if e == 3 then return j + lerp(d, cc), i + 1 end
            return j, i + lerp(a, d)
          end
          local pairs_
          if code == 5 or code == 10 then
            -- A saddle: the mean of the corners decides which diagonal pair is connected.
            local above = (a + b + cc + d) / 4 >= level
            if (code == 5) == above then pairs_ = { { 1, 2 }, { 4, 3 } } else pairs_ = { { 4, 1 }, { 2, 3 } } end
          else
            pairs_ = { cases[code] }
          end
          for _, p in ipairs(pairs_) do
            local x1, y1 = at(p[1])
            local x2, y2 = at(p[2])
            segs[#segs + 1] = { x1, y1, x2, y2 }
          end
        end
      end
    end
  end
  return segs
end

local function decision_map(o)
  -- A map is drawn square (equal units on both axes): a squarer figure gives it more room.
  if o.width == nil and o.height == nil then
    local sized = {}
    for k, v in pairs(o) do sized[k] = v end
    sized.width, sized.height = 560, 520
    o = sized
  end
  local grid = o.grid
  local nx, ny = check_grid(grid)
  local rows = grid_rows(grid.values, nx, ny)
  local notes = {}
  local by_value, list = class_table(o.classes)

  -- What the values are: classes (whole numbers) or probabilities of class 1 (in [0, 1]).
  local mode = o.mode or grid.mode
  local vmin, vmax, nan_cells, integral = nil, nil, 0, true
  for i = 1, ny do
    for j = 1, nx do
      local v = rows[i][j]
      if finite(v) then
        vmin = vmin and math.min(vmin, v) or v
        vmax = vmax and math.max(vmax, v) or v
        if v ~= math.floor(v) then integral = false end
      else
        nan_cells = nan_cells + 1
      end
    end
  end
  if mode == nil then mode = integral and "class" or "probability" end
  if mode ~= "class" and mode ~= "probability" then fail('mode must be "class" or "probability", got %s', tostring(mode)) end
  if mode == "probability" and vmin and (vmin < 0 or vmax > 1) then
    fail("probability values must lie in [0, 1], got values from %s to %s", num(vmin), num(vmax))
  end
  if mode == "class" then
    for i = 1, ny do
      for j = 1, nx do
        if finite(rows[i][j]) then class_entry(by_value, list, rows[i][j]) end
      end
    end
  end
  -- Probabilities are of class 1 against class 0: those two colors make the scale.
  local c0 = mode == "probability" and class_entry(by_value, list, 0).color
  local c1 = mode == "probability" and class_entry(by_value, list, 1).color

  -- A cell's fill: a light tint of its class color; for probabilities the tint deepens away from 0.5
  -- in ten bands, like the course's filled contours, and is white at the boundary.
  local bands = o.bands or 10
  if math.type(bands) ~= "integer" or bands < 2 then fail("bands must be an integer >= 2") end
  local function cell_fill(v)
    if not finite(v) then return ('fill="%s"'):format(NAN_FILL) end
    if mode == "class" then return tint(by_value[v].color, 0.38) end
    local b = math.min(bands - 1, math.floor(v * bands))
    local t = (b + 0.5) / bands
    return tint(t < 0.5 and c0 or c1, math.abs(t - 0.5) * 2 * 0.6)
  end

  if nan_cells > 0 then notes[#notes + 1] = ("%d of %d cells are nan or inf (gray)"):format(nan_cells, nx * ny) end
  if vmin == nil then
    notes[#notes + 1] = "every cell is nan or inf"
  elseif vmin == vmax then
    if mode == "class" then
      notes[#notes + 1] = ("the classifier predicts %s everywhere"):format(by_value[vmin].name)
    else
      notes[#notes + 1] = ("the probability is %s everywhere"):format(num(vmin))
    end
  end

  local pts = read_points(o.points, by_value, list, notes)
  local X = new_axis(nil, nil, { lim = { grid.xmin, grid.xmax } })
  local Y = new_axis(nil, nil, { lim = { grid.ymin, grid.ymax } })

  -- Cell edges halfway between samples, clamped to the grid's range.
  local function edges(lo, hi, n)
    local e = { lo }
    for k = 1, n - 1 do e[k + 1] = (sample(lo, hi, n, k) + sample(lo, hi, n, k + 1)) / 2 end
    e[n + 1] = hi
    return e
  end
  local xe, ye = edges(grid.xmin, grid.xmax, nx), edges(grid.ymin, grid.ymax, ny)

  local two_classes = mode == "probability" or (vmin ~= nil and vmin >= 0 and vmax <= 1)
  local draw_boundary = o.boundary ~= false and two_classes and nx > 1 and ny > 1

  return render(o, {
    x = X, y = Y, notes = notes, grid = false, frame = true, legend = legend_of(list, "point"),
    equal = o.equal ~= false,
    draw = function(c, X, Y)
      -- Runs of equal cells merge into one rectangle across a row, and identical runs merge down the
      -- rows, so a map of two regions is a few hundred rectangles rather than nx * ny.
      local rects, open = {}, {}
      for i = 1, ny do
        local now = {}
        local j = 1
        while j <= nx do
          local fill = cell_fill(rows[i][j])
          local k = j
          while k < nx and cell_fill(rows[i][k + 1]) == fill do k = k + 1 end
          local key = j .. ":" .. k .. ":" .. fill
          local r = open[key]
          if r then r.i1 = i else r = { j0 = j, j1 = k, i0 = i, i1 = i, fill = fill }; rects[#rects + 1] = r end
          now[key] = r
          j = k + 1
        end
        open = now
      end
      -- Without anti-aliasing, and with each rectangle reaching half a pixel into its neighbours (opaque
      -- fills hide the overlap), no hairline seams show between them.
      c:add('<g shape-rendering="crispEdges">')
      for _, r in ipairs(rects) do
        local x0, x1 = X:map(xe[r.j0]), X:map(xe[r.j1 + 1])
        local y0, y1 = Y:map(ye[r.i1 + 1]), Y:map(ye[r.i0])
        local gx = r.j1 < nx and 0.5 or 0
        local gy = r.i1 < ny and 0.5 or 0
        c:add('<rect x="%s" y="%s" width="%s" height="%s" %s/>', px(x0), px(y0 - gy), px(x1 - x0 + gx),
              px(y1 - y0 + gy), r.fill)
      end
      c:add("</g>")
      if draw_boundary then
        local segs = boundary_segments(rows, nx, ny, 0.5)
        if #segs > 0 then
          local d = {}
          for _, s in ipairs(segs) do
            d[#d + 1] = ("M%s %sL%s %s"):format(
              px(X:map(sample(grid.xmin, grid.xmax, nx, s[1]))), px(Y:map(sample(grid.ymin, grid.ymax, ny, s[2]))),
              px(X:map(sample(grid.xmin, grid.xmax, nx, s[3]))), px(Y:map(sample(grid.ymin, grid.ymax, ny, s[4]))))
          end
          c:add('<path d="%s" fill="none" stroke="#333" stroke-width="1.2" stroke-linecap="round" stroke-opacity="0.75"/>',
                table.concat(d))
        end
      end
      draw_points(c, pts, X, Y, point_radius(o, #pts))
    end,
  })
end

-- ---- histogram ------------------------------------------------------------------------------------------------

local function histogram(o)
  local sets = {}
  if o.series ~= nil then
    if type(o.series) ~= "table" then fail("series must be a list of {name=, values=}") end
    for i, s in ipairs(o.series) do
      if type(s) ~= "table" then fail("series[%d] must be a table {name=, values=}", i) end
      sets[i] = { name = s.name and tostring(s.name) or ("series " .. i), values = all_numbers(s.values, ("series[%d].values"):format(i)),
                  color = user_color(s.color, i), named = s.name ~= nil }
    end
  else
    sets[1] = { name = "values", values = all_numbers(o.values, "values"), color = user_color(o.color, 1) }
  end
  local range = check_lim(o.range, "range")
  local lo, hi
  for _, s in ipairs(sets) do
    for _, v in ipairs(s.values) do
      if finite(v) then lo = lo and math.min(lo, v) or v; hi = hi and math.max(hi, v) or v end
    end
  end
  if range then lo, hi = range[1], range[2] end
  -- Default: about sqrt(n) bins, between 10 and 50.
  local largest = 0
  for _, s in ipairs(sets) do largest = math.max(largest, #s.values) end
  local bins = o.bins or math.max(10, math.min(50, math.ceil(math.sqrt(largest))))
  if math.type(bins) ~= "integer" and not (finite(bins) and bins == math.floor(bins)) or bins < 1 then
    fail("bins must be a positive integer, got %s", tostring(bins))
  end
  bins = math.tointeger(bins)
  if lo ~= nil and lo == hi then lo, hi = lo - 0.5, hi + 0.5 end -- one value: a unit-wide range around it

  local notes, legend, maxcount = {}, {}, 0
  -- Bin b covers [edge(b - 1), edge(b)]; computed from halves so -1e308 .. 1e308 does not overflow.
  local function edge(b) return 2 * (lo * 0.5 + (hi * 0.5 - lo * 0.5) * b / bins) end
  local function bin_of(v) return math.floor((v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5) * bins) + 1 end
  for _, s in ipairs(sets) do
    local counts, nonfinite, outside = {}, 0, 0
    for b = 1, bins do counts[b] = 0 end
    for _, v in ipairs(s.values) do
      if not finite(v) then
        nonfinite = nonfinite + 1
      elseif v < lo or v > hi then
        outside = outside + 1
      else
        local b = math.min(bins, bin_of(v)) -- the last bin includes hi, as numpy's
        counts[b] = counts[b] + 1
      end
    end
    for b = 1, bins do maxcount = math.max(maxcount, counts[b]) end
    s.counts = counts
    local name = #sets > 1 and (s.name .. ": ") or ""
    if nonfinite > 0 then
      notes[#notes + 1] = ("%s%d inf or nan value%s not counted"):format(name, nonfinite, nonfinite > 1 and "s" or "")
    end
    if outside > 0 then
      notes[#notes + 1] = ("%s%d value%s outside the range not counted"):format(name, outside, outside > 1 and "s" or "")
    end
    if #sets > 1 or s.named then legend[#legend + 1] = { name = s.name, color = s.color, kind = "box", opacity = 0.45 } end
  end
  if lo == nil then notes[#notes + 1] = "no values to count" end

  local logy = o.logy and true or false
  local X = new_axis(lo, hi, { lim = check_lim(o.xlim, "xlim"), pad = 0 })
  local Y
  if logy then
    -- Counts of 1 must show above the axis: the log axis starts at 0.5.
    Y = new_axis(maxcount > 0 and 1 or nil, maxcount > 0 and maxcount or nil, { log = true, pad = 0.05, floor = 0.5 })
  else
    Y = new_axis(0, math.max(1, maxcount), { pad = 0.05, floor = 0 })
  end
  local opacity = #sets > 1 and 0.45 or 0.75
  return render(o, {
    x = X, y = Y, notes = notes, legend = legend,
    draw = function(c, X, Y, box)
      if lo == nil then return end
      for _, s in ipairs(sets) do
        -- One filled step outline per set: smaller than a rectangle per bin and crisp at any size.
        local d = { ("M%s %s"):format(px(X:map(lo)), px(box.bottom)) }
        for b = 1, bins do
          local count = s.counts[b]
          local y = (logy and count == 0) and box.bottom or Y:map(count)
          d[#d + 1] = ("V%sH%s"):format(px(y), px(X:map(edge(b))))
        end
        d[#d + 1] = ("V%sZ"):format(px(box.bottom))
        c:add('<path d="%s" fill="%s" fill-opacity="%s" stroke="%s" stroke-width="1.2" stroke-linejoin="round"/>',
              table.concat(d), s.color, opacity, s.color)
      end
    end,
  })
end

-- ---- bar chart ------------------------------------------------------------------------------------------------

local function bar_chart(o)
  local sets = {}
  if o.series ~= nil then
    if type(o.series) ~= "table" then fail("series must be a list of {name=, values=}") end
    for i, s in ipairs(o.series) do
      if type(s) ~= "table" then fail("series[%d] must be a table {name=, values=}", i) end
      sets[i] = { name = s.name and tostring(s.name) or ("series " .. i), named = s.name ~= nil,
                  values = numbers(s.values, ("series[%d].values"):format(i)),
                  color = user_color(s.color, i) }
    end
  else
    sets[1] = { name = "values", values = numbers(o.values, "values"), color = user_color(o.color, 1) }
  end
  local n = 0
  for _, s in ipairs(sets) do n = math.max(n, #s.values) end
  local labels = {}
  if o.labels ~= nil then
    if type(o.labels) ~= "table" then fail("labels must be a list of strings") end
    for i = 1, math.max(n, #o.labels) do labels[i] = o.labels[i] ~= nil and tostring(o.labels[i]) or tostring(i) end
  else
    for i = 1, n do labels[i] = tostring(i) end
  end
  n = #labels
  local logy = o.logy and true or false
  local notes, legend, vmin, vmax = {}, {}, nil, nil
  for _, s in ipairs(sets) do
    local skipped = {}
    for i = 1, n do
      local v = s.values[i]
      if v ~= nil then
        if finite(v) and (not logy or v > 0) then
          vmin = vmin and math.min(vmin, v) or v
          vmax = vmax and math.max(vmax, v) or v
        else
          skipped[#skipped + 1] = ("%s = %s"):format(labels[i], (why_skipped(v, logy)))
        end
      end
    end
    if #skipped > 0 then
      notes[#notes + 1] = ("%snot drawn: %s"):format(#sets > 1 and (s.name .. ": ") or "", table.concat(skipped, ", "))
    end
    if #sets > 1 or s.named then legend[#legend + 1] = { name = s.name, color = s.color, kind = "box" } end
  end
  local Y
  if logy then
    Y = new_axis(vmin, vmax, { lim = check_lim(o.ylim, "ylim"), log = true, pad = 0.08 })
  else
    -- Bars grow from zero, so zero is always on the axis.
    local lo, hi = vmin and math.min(0, vmin), vmax and math.max(0, vmax)
    Y = new_axis(lo, hi, { lim = check_lim(o.ylim, "ylim"), pad = 0.05, floor = vmin and vmin >= 0 and 0 or nil })
  end
  local X = setmetatable({ categories = labels }, Axis)
  local widest = 0
  for _, l in ipairs(labels) do widest = math.max(widest, text_width(l, 11)) end
  local W = o.width or M.width
  if n > 0 and widest > (W - 120) / n - 6 then
    X.rotate = true
    X.rotate_height = math.min(120, widest * 0.6 + 20)
  end

  return render(o, {
    x = X, y = Y, notes = notes, legend = legend,
    draw = function(c, X, Y, box)
      local group = (box.right - box.left) / math.max(1, n)
      local bar = group * 0.8 / #sets
      local base = logy and box.bottom or Y:map(0)
      for k, s in ipairs(sets) do
        c:add('<g fill="%s">', s.color)
        for i = 1, n do
          local v = s.values[i]
          if v ~= nil and finite(v) and (not logy or v > 0) then
            local x = box.left + (i - 1) * group + group * 0.1 + (k - 1) * bar
            local y = Y:map(v)
            c:add('<rect x="%s" y="%s" width="%s" height="%s"/>', px(x), px(math.min(y, base)),
                  px(math.max(bar - 1, 1)), px(math.abs(base - y)))
          end
        end
        c:add("</g>")
      end
      if not logy and Y.lo < 0 then
        c:add('<path d="M%s %sH%s" stroke="%s"/>', px(box.left), px(base), px(box.right), AXIS)
      end
    end,
  })
end

M.line_chart = public("line_chart", line_chart)
M.scatter = public("scatter", scatter)
M.decision_map = public("decision_map", decision_map)
M.histogram = public("histogram", histogram)
M.bar_chart = public("bar_chart", bar_chart)

return M
