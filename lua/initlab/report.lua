--- initlab.report: an HTML page of results that opens offline in any browser.
--
--   local page = report.new{title = "Initialization", subtitle = "three ways to start"}
--   page:heading(text [, level])          a section heading; level 2 (default) to 4 (the title is level 1)
--   page:paragraph(text)                  plain text; a blank line starts a new paragraph, `code` in
--                                         backquotes is set as code
--   page:code(text)                       preformatted text (program output, a listing)
--   page:figure(name, svg_text [, caption])  saved as <name>.svg beside index.html, shown numbered
--   page:table{headers = {...}, rows = {{...}, ...} [, caption = text]}
--   page:html()                           the page's HTML text
--   page:write(dir)                       creates dir, writes every figure and index.html (each atomically);
--                                         returns the path of index.html
-- Every method but html and write returns the page, so calls can be chained. The page links nothing
-- outside its directory: the style is inline and the figures are files beside it.
local files = require "initlab.files"

local M = {}

local Page = {}
Page.__index = Page

local escapes = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
local function esc(text)
  local s = tostring(text):gsub("[%z\1-\8\11\12\14-\31]", "")
  if not utf8.len(s) then s = s:gsub("[\128-\255]", "?") end -- keep the page valid UTF-8
  return (s:gsub("[&<>\"']", escapes))
end

local STYLE = [[
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1f2328;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 880px; margin: 0 auto; padding: 2.2rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .3rem; }
.subtitle { color: #57606a; font-size: 1.05rem; margin: 0 0 1.2rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid #e5e7eb; }
h3 { font-size: 1.12rem; margin: 1.7rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1.4rem 0 .3rem; }
p { margin: .65rem 0; }
code { font: .9em/1 ui-monospace, "DejaVu Sans Mono", monospace; background: #f3f4f6; padding: .1em .3em; border-radius: 4px; }
pre { background: #f6f8fa; border: 1px solid #e5e7eb; border-radius: 6px; padding: .8rem 1rem; overflow-x: auto;
  font: 13.5px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
pre code { background: none; padding: 0; font: inherit; }
figure { margin: 1.5rem 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #e5e7eb; border-radius: 6px; }
figcaption, caption { color: #57606a; font-size: .92rem; margin-top: .45rem; text-align: left; }
caption { caption-side: bottom; }
.label { font-weight: 600; color: #1f2328; }
table { border-collapse: collapse; margin: 1.1rem 0; font-size: .95rem; font-variant-numeric: tabular-nums; }
th, td { padding: .38rem .85rem; border-bottom: 1px solid #e5e7eb; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #d0d7de; font-weight: 600; }
tbody tr:nth-child(even) { background: #f8f9fb; }
.num { text-align: right; }
footer { margin-top: 3rem; color: #8c959f; font-size: .85rem; }
]]

local function check_text(text, method)
  local t = type(text)
  if t ~= "string" and t ~= "number" then
    error(("page:%s: expected text (a string), got %s"):format(method, t), 3)
  end
  return tostring(text)
end

function M.new(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error(("report.new: expected a table {title = ...}, got %s"):format(type(opts)), 2)
  end
  opts = opts or {}
  return setmetatable({
    title = opts.title and tostring(opts.title) or "initlab report",
    subtitle = opts.subtitle and tostring(opts.subtitle),
    blocks = {},   -- HTML fragments in page order
    figures = {},  -- {name =, svg =} in page order
    names = {},    -- figure names taken, to refuse a second figure overwriting the first
  }, Page)
end

function Page:add(html)
  self.blocks[#self.blocks + 1] = html
  return self
end

function Page:heading(text, level)
  text = check_text(text, "heading")
  level = level or 2
  if math.type(level) ~= "integer" or level < 2 or level > 4 then
    error(("page:heading: level must be 2, 3 or 4 (the title is level 1), got %s"):format(tostring(level)), 2)
  end
  return self:add(("<h%d>%s</h%d>"):format(level, esc(text), level))
end

-- Escaped text where `backquoted` parts become <code>.
local function inline(text)
  return (esc(text):gsub("`([^`]+)`", "<code>%1</code>"))
end

function Page:paragraph(text)
  text = check_text(text, "paragraph")
  for para in (text .. "\n\n"):gmatch("(.-)\n%s*\n") do
    para = para:match("^%s*(.-)%s*$")
    if para ~= "" then self:add("<p>" .. inline(para) .. "</p>") end
  end
  return self
end

function Page:code(text)
  text = check_text(text, "code")
  return self:add("<pre><code>" .. esc(text:gsub("\n$", "")) .. "</code></pre>")
end

-- The pixel size an SVG declares on its root, so the page reserves its space before it loads.
local function svg_size(svg)
  local root = svg:match("<svg%s[^>]*>")
  if not root then return nil end
  local w = root:match('%swidth="(%d+%.?%d*)"')
  local h = root:match('%sheight="(%d+%.?%d*)"')
  return w, h
end

function Page:figure(name, svg, caption)
  if type(name) ~= "string" then
    error(("page:figure: name must be a string, got %s"):format(type(name)), 2)
  end
  name = name:gsub("%.svg$", "")
  -- The name becomes a file name beside index.html: letters, digits, '-', '_' and '.' only.
  if not name:match("^[%w][%w_%-%.]*$") then
    error(("page:figure: name %q must be letters, digits, '-', '_' or '.' (it names the file <name>.svg)")
          :format(name), 2)
  end
  if name == "index" or self.names[name] then
    error(("page:figure: a figure named %q is already on the page"):format(name), 2)
  end
  if type(svg) ~= "string" or not svg:match("^%s*<[%?!]?") or not svg:find("<svg", 1, true) then
    error(("page:figure: %s must be SVG text (from initlab.svg), got %s"):format(name,
          type(svg) == "string" and "a string without <svg" or type(svg)), 2)
  end
  if caption ~= nil then caption = check_text(caption, "figure") end
  self.names[name] = true
  self.figures[#self.figures + 1] = { name = name, svg = svg }
  local number = #self.figures
  local w, h = svg_size(svg)
  local size = w and h and (' width="%s" height="%s"'):format(w, h) or ""
  local alt = caption or name
  local html = { ('<figure id="fig-%s">'):format(esc(name)),
                 ('<img src="%s.svg" alt="%s"%s>'):format(esc(name), esc(alt), size),
                 ('<figcaption><span class="label">Figure %d.</span> %s</figcaption>'):format(number,
                   caption and inline(caption) or esc(name)),
                 "</figure>" }
  return self:add(table.concat(html, "\n"))
end

-- A cell's text: integers as integers, other numbers with 6 significant digits, inf and nan spelled out.
local function cell_text(v)
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "nan" end
    if v == math.huge then return "inf" end
    if v == -math.huge then return "-inf" end
    return (string.format("%.6g", v):gsub("e%+?(%-?)0*(%d)", "e%1%2"))
  end
  if v == nil then return "" end
  return tostring(v)
end

function Page:table(t)
  if type(t) ~= "table" or type(t.rows) ~= "table" then
    error("page:table: expected {headers = {...}, rows = {{...}, ...}}", 2)
  end
  local headers = t.headers or {}
  if type(headers) ~= "table" then error("page:table: headers must be a list", 2) end
  local ncols = #headers
  for i, row in ipairs(t.rows) do
    if type(row) ~= "table" then error(("page:table: rows[%d] must be a list of cells"):format(i), 2) end
    ncols = math.max(ncols, #row)
  end
  -- A column of numbers is right-aligned, its header too, so digits line up.
  local numeric = {}
  for j = 1, ncols do
    local any, all = false, true
    for _, row in ipairs(t.rows) do
      if row[j] ~= nil then
        any = true
        if type(row[j]) ~= "number" then all = false end
      end
    end
    numeric[j] = any and all
  end
  local out = { "<table>" }
  if t.caption then out[#out + 1] = "<caption>" .. inline(check_text(t.caption, "table")) .. "</caption>" end
  if #headers > 0 then
    out[#out + 1] = "<thead><tr>"
    for j = 1, ncols do
      out[#out + 1] = ("<th%s>%s</th>"):format(numeric[j] and ' class="num"' or "", esc(cell_text(headers[j])))
    end
    out[#out + 1] = "</tr></thead>"
  end
  out[#out + 1] = "<tbody>"
  for _, row in ipairs(t.rows) do
    out[#out + 1] = "<tr>"
    for j = 1, ncols do
      out[#out + 1] = ("<td%s>%s</td>"):format(type(row[j]) == "number" and ' class="num"' or "", esc(cell_text(row[j])))
    end
    out[#out + 1] = "</tr>"
  end
  out[#out + 1] = "</tbody></table>"
  return self:add(table.concat(out))
end

function Page:html()
  local out = {
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="initlab">',
    "<title>" .. esc(self.title) .. "</title>",
    "<style>\n" .. STYLE .. "</style>",
    "</head>",
    "<body>",
    "<main>",
    "<h1>" .. esc(self.title) .. "</h1>",
  }
  if self.subtitle then out[#out + 1] = '<p class="subtitle">' .. esc(self.subtitle) .. "</p>" end
  for _, block in ipairs(self.blocks) do out[#out + 1] = block end
  out[#out + 1] = "<footer>Made with initlab.</footer>"
  out[#out + 1] = "</main>"
  out[#out + 1] = "</body>"
  out[#out + 1] = "</html>"
  return table.concat(out, "\n") .. "\n"
end

function Page:write(dir)
  if type(dir) ~= "string" or dir == "" then
    error(("page:write: expected a directory name, got %s"):format(type(dir)), 2)
  end
  local ok, err = pcall(function()
    files.mkdir_p(dir)
    -- Figures first: when index.html appears, everything it shows is already there.
    for _, fig in ipairs(self.figures) do files.write_atomic(files.join(dir, fig.name .. ".svg"), fig.svg) end
    files.write_atomic(files.join(dir, "index.html"), self:html())
  end)
  if not ok then error("page:write: " .. tostring(err):gsub("^[^:]*:%d+: ", ""), 2) end
  return files.join(dir, "index.html")
end

M.Page = Page
return M
