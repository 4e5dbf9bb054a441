--- initlab.csv: load your own data set from a CSV file into the lesson's layout, and save one back.
--
--   X, Y, info = il.csv.read(path [, opts])
--     X is features x examples (one COLUMN per example, as in the lesson), Y is 1 x m (nil with label = false).
--     opts (all optional):
--       label      the label column: a header name or a 1-based index; default the last column;
--                  false: no labels (Y is nil, every column may be a feature)
--       columns    the feature columns to keep, in this order: a list of names and/or 1-based indices;
--                  default every column but the label, in file order
--       header     true / false; nil: detect it (see below); naming a column in label or columns implies one
--       delimiter  one character: "," (default), ";", "\t"...
--       comment    lines starting with this string are skipped; default "#"; false: no comment lines
--       skip_blank skip lines with nothing but spaces (default true); false: such a line is a bad row
--     info: feature_names (one per row of X), label_name, rows (number of examples = columns of X),
--       header (whether the first row was a header), columns (the file's column index of each row of X),
--       label_column (its index, or nil), and classes when the labels are not all numbers: the labels are then
--       class names (spaces trimmed), mapped to 0, 1, 2... in order of first appearance, and info.classes[k + 1]
--       names class k. Without a header, column j is named "x<j>" and the label "y"; header names are trimmed.
--
--   il.csv.write(path, X [, Y [, info]])  the inverse: one row per example; info (e.g. the one read returned)
--     may give feature_names, label_name, classes (Y then holds class numbers written as their names),
--     delimiter and header (default true). Numbers are written so that reading them back is exact.
--
-- The file: RFC 4180 quoting (a field in double quotes may hold the delimiter, line breaks and "" for a
-- quote), LF or CRLF line endings, an optional UTF-8 byte order mark. A number is anything tonumber() reads,
-- or nan / inf / -inf / infinity in any case. Header detection: the first row is a header when one of its
-- non-empty feature fields is not a number. When only its label is not a number, that is either a label name
-- or a class name (string labels, no header): it is a header when the next row's label is a number.
-- Every problem with the file is a Lua error naming the file and the line: "data.csv:17: expected 3 fields,
-- got 2". The matrices are filled in place with m:set, so a large file costs no Lua table per value.
local il = require "initlab"

local M = {}

local byte, find, sub, format, concat = string.byte, string.find, string.sub, string.format, table.concat
local QUOTE, CR, LF = 34, 13, 10
local NAN = -(0 / 0) -- positive NaN: prints as "nan" rather than "-nan"
local BOM = "\239\187\191"

local SPECIAL_NUMBERS = {
  nan = NAN, ["+nan"] = NAN, ["-nan"] = NAN,
  inf = math.huge, ["+inf"] = math.huge, ["-inf"] = -math.huge,
  infinity = math.huge, ["+infinity"] = math.huge, ["-infinity"] = -math.huge,
}

local function trim(s)
  return (s:match("^%s*(.-)%s*$"))
end

-- The value of a field, or nil when it is not a number. tonumber() alone refuses "nan" and "inf".
local function to_number(s)
  local v = tonumber(s)
  if v ~= nil then return v end
  return SPECIAL_NUMBERS[trim(s):lower()]
end

-- A field as an error message shows it: quoted, shortened when long.
local function show(s)
  if #s > 40 then s = sub(s, 1, 37) .. "..." end
  return '"' .. s .. '"'
end

local function fail(path, line, fmt, ...)
  error(format("%s:%d: " .. fmt, path, line, ...), 0)
end

-- ---------------------------------------------------------------------------------------------------------
-- Splitting the text into records

-- Returns an iterator over the records of `text`: each call fills `fields` (shared, reused) and returns the
-- number of fields and the line the record starts on; nil at the end. It works on `text` in place, by position:
-- a line before the next quote in the file takes the fast path (plain finds, one sub per field); a record with a
-- quote on its first line is parsed field by field, and may run over several lines.
-- The fast path for a file of `ncols` columns: a function(text, pos) that matches one whole plain line (exactly
-- ncols fields, no quote, ending in LF or CRLF) with one anchored pattern, stores its fields and returns the
-- position of its LF, or returns nil for anything else (the general path then deals with it). One pattern call per
-- line is several times faster than a find and a sub per field. Lua has no call that returns a variable number
-- of captures without a table, so the function is generated for ncols; nil beyond Lua's 32 captures.
local function plain_line_reader(ncols, delimiter, fields)
  if ncols < 2 or ncols > 30 then return nil end
  local d = delimiter:gsub("%W", "%%%0")
  local pattern = "^" .. ("([^" .. d .. "\n\"]*)" .. d):rep(ncols - 1) .. "([^" .. d .. "\n\r\"]*)\r?\n"
  local captures, stores = {}, {}
  for j = 1, ncols do
    captures[j] = "f" .. j
    stores[j] = format("fields[%d] = f%d", j, j)
  end
  local code = format([[
    local find, pattern, fields = ...
    return function(text, pos)
      local _, e, %s = find(text, pattern, pos)
      if e then %s end
      return e
    end]], concat(captures, ", "), concat(stores, "; "))
  return assert(load(code, "=csv plain line reader"))(find, pattern, fields)
end

-- With ncols (the number of columns, once known) plain lines take the fast path above.
local function records(text, path, fields, delimiter, comment, skip_blank, ncols)
  local pos, line, len = 1, 1, #text
  local delimiter_byte = byte(delimiter)
  local field_end = "[" .. delimiter:gsub("%W", "%%%0") .. "\n]"
  local plain_line = ncols and plain_line_reader(ncols, delimiter, fields)
  local comment_byte = comment and byte(comment)
  local next_quote = find(text, '"', 1, true) -- kept ahead of pos, so finding quotes costs one scan in all

  local function strip_cr(s)
    if byte(s, -1) == CR then return sub(s, 1, -2) end
    return s
  end

  -- The record starting at `pos`, which has a quote somewhere on its first line.
  local function parse_quoted()
    local n, p, l = 0, pos, line
    while true do
      n = n + 1
      if byte(text, p) == QUOTE then
        local start_line, parts, q = l, {}, p + 1
        while true do
          local k = find(text, '"', q, true)
          if not k then
            fail(path, start_line, "unterminated quote: field %d opens a quote on this line that never closes", n)
          end
          local piece = sub(text, q, k - 1)
          parts[#parts + 1] = piece
          for _ in piece:gmatch("\n") do l = l + 1 end
          if byte(text, k + 1) == QUOTE then -- "" stands for one quote
            parts[#parts + 1] = '"'
            q = k + 2
          else
            p = k + 1
            break
          end
        end
        fields[n] = concat(parts)
        local c = byte(text, p)
        if c == delimiter_byte then
          p = p + 1
        elseif c == nil then
          break
        elseif c == LF then
          p = p + 1
          break
        elseif c == CR and byte(text, p + 1) == LF then
          p = p + 2
          break
        else
          fail(path, l, "field %d: %s after the closing quote, expected %s or the end of the line",
               n, show(sub(text, p, p)), show(delimiter))
        end
      else
        local e = find(text, field_end, p)
        if not e then
          fields[n] = strip_cr(sub(text, p))
          p = len + 1
          break
        elseif byte(text, e) == delimiter_byte then
          fields[n] = sub(text, p, e - 1)
          p = e + 1
        else
          fields[n] = strip_cr(sub(text, p, e - 1))
          p = e + 1
          break
        end
      end
    end
    local start = line
    pos, line = p, l + 1
    next_quote = find(text, '"', pos, true)
    return n, start
  end

  return function()
    while pos <= len do
      local lf = plain_line and byte(text, pos) ~= comment_byte and plain_line(text, pos)
      if lf then
        local start = line
        pos, line = lf + 1, line + 1
        return ncols, start
      end
      local eol = find(text, "\n", pos, true) or len + 1
      if comment_byte and byte(text, pos) == comment_byte and sub(text, pos, pos + #comment - 1) == comment
         or skip_blank and (find(text, "^[ \t\r\f\v]*\n", pos) or find(text, "^[ \t\r\f\v]*$", pos)) then
        pos, line = eol + 1, line + 1
        if next_quote and next_quote < pos then next_quote = find(text, '"', pos, true) end
      elseif next_quote and next_quote < eol then
        return parse_quoted()
      else
        local last = eol - 1 -- the line is text[pos..last], without its CR
        if byte(text, last) == CR and last >= pos then last = last - 1 end
        local n, p = 0, pos
        while true do
          local d = find(text, delimiter, p, true)
          n = n + 1
          if not d or d > last then
            fields[n] = sub(text, p, last)
            break
          end
          fields[n] = sub(text, p, d - 1)
          p = d + 1
        end
        local start = line
        pos, line = eol + 1, line + 1
        return n, start
      end
    end
    return nil
  end
end

-- ---------------------------------------------------------------------------------------------------------
-- Options

local KNOWN_OPTIONS = { label = true, columns = true, header = true, delimiter = true, comment = true,
                        skip_blank = true }

local function check_options(opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then
    error("csv.read: options must be a table, got " .. type(opts), 3)
  end
  for k in pairs(opts) do
    if not KNOWN_OPTIONS[k] then
      error(format("csv.read: unknown option %s (known: columns, comment, delimiter, header, label, skip_blank)",
                   tostring(k)), 3)
    end
  end
  local o = { label = opts.label, columns = opts.columns, header = opts.header,
              delimiter = opts.delimiter or ",", comment = opts.comment, skip_blank = opts.skip_blank }
  local label = o.label
  if not (label == nil or label == false or type(label) == "string" or math.type(label) == "integer") then
    error("csv.read: label must be a column name, a 1-based column index or false, got " .. tostring(label), 3)
  end
  if o.header ~= nil and type(o.header) ~= "boolean" then
    error("csv.read: header must be true, false or nil (detect), got " .. tostring(o.header), 3)
  end
  local d = o.delimiter
  if type(d) ~= "string" or #d ~= 1 or d == '"' or d == "\n" or d == "\r" then
    error(format("csv.read: delimiter must be one character other than a quote or a line break, such as "
                 .. '",", ";" or "\\t", got %s', type(d) == "string" and format("%q", d) or tostring(d)), 3)
  end
  if o.comment == nil or o.comment == true then o.comment = "#" end
  if o.comment ~= false and (type(o.comment) ~= "string" or o.comment == "") then
    error("csv.read: comment must be a non-empty string or false, got " .. tostring(o.comment), 3)
  end
  if o.skip_blank == nil then o.skip_blank = true end
  if type(o.skip_blank) ~= "boolean" then
    error("csv.read: skip_blank must be true or false, got " .. tostring(o.skip_blank), 3)
  end
  if o.columns ~= nil then
    if type(o.columns) ~= "table" or #o.columns == 0 then
      error("csv.read: columns must be a non-empty list of column names or 1-based indices", 3)
    end
    for i, c in ipairs(o.columns) do
      if type(c) ~= "string" and math.type(c) ~= "integer" then
        error(format("csv.read: columns[%d] must be a column name or a 1-based index, got %s", i, tostring(c)), 3)
      end
    end
  end
  return o
end

-- ---------------------------------------------------------------------------------------------------------
-- Reading

local function read_text(path)
  local f, err = io.open(path, "rb")
  if not f then
    if sub(err, 1, #path + 2) == path .. ": " then err = sub(err, #path + 3) end
    error(format("cannot open %s: %s", path, err), 0)
  end
  local text, rerr = f:read("a")
  f:close()
  if not text then error(format("cannot read %s: %s", path, tostring(rerr)), 0) end
  if sub(text, 1, 3) == BOM then text = sub(text, 4) end
  return text
end

-- Whether the first record is a header, when the caller did not say.
local function detect_header(first, n, label_index, second, second_n)
  local label_text = false
  for j = 1, n do
    local s = first[j]
    if trim(s) ~= "" and not to_number(s) then
      if j ~= label_index then return true end
      label_text = true
    end
  end
  if not label_text then return false end
  -- Only the label is text: a header with numbered features, or string labels without a header. A number as
  -- the next row's label means the former.
  return second_n ~= nil and second_n >= label_index and to_number(second[label_index]) ~= nil
end

-- The index of the column that `key` (a name or an index) selects; `what` says which option gave it.
local function resolve_column(key, names, header, ncols, path, line, what)
  if type(key) == "number" then
    if key < 1 or key > ncols then
      fail(path, line, "%s column %d is out of range: the file has %d column%s", what, key, ncols,
           ncols == 1 and "" or "s")
    end
    return key
  end
  if not header then
    fail(path, line, '%s column "%s" is given by name, but the file has no header (select it by index)', what, key)
  end
  local found
  for j = 1, ncols do
    if names[j] == key then
      if found then
        fail(path, line, '%s column "%s" is ambiguous: columns %d and %d have that name (select it by index)',
             what, key, found, j)
      end
      found = j
    end
  end
  if not found then
    fail(path, line, '%s column "%s" is not in the header (columns: %s)', what, key, concat(names, ", "))
  end
  return found
end

function M.read(path, opts)
  if type(path) ~= "string" then
    error("csv.read: path must be a string, got " .. type(path), 2)
  end
  local o = check_options(opts)
  local text = read_text(path)
  local fields = {}
  local function each_record(ncols)
    return records(text, path, fields, o.delimiter, o.comment, o.skip_blank, ncols)
  end

  -- The first record fixes the number of columns and may be a header.
  local next_record = each_record()
  local ncols, first_line = next_record()
  if not ncols then
    error(format("%s: no data rows (%s)", path, find(text, "%S") and "only comments and blank lines"
                                                or "the file is empty"), 0)
  end
  local first = table.move(fields, 1, ncols, 1, {})

  local named = type(o.label) == "string"
  for _, c in ipairs(o.columns or {}) do named = named or type(c) == "string" end
  local header = o.header
  if header == nil then
    if named then
      header = true
    else
      local label_index = o.label == nil and ncols or o.label
      local second_n = next_record()
      header = detect_header(first, ncols, label_index, fields, second_n)
    end
  end

  local names = {}
  for j = 1, ncols do
    local name = header and trim(first[j]) or ""
    names[j] = name ~= "" and name or "x" .. j
  end

  local label_index
  if o.label == nil then
    label_index = ncols
  elseif o.label then
    label_index = resolve_column(o.label, names, header, ncols, path, first_line, "label")
  end
  if not header and label_index then names[label_index] = "y" end

  local columns = {}
  if o.columns then
    local seen = {}
    for i, key in ipairs(o.columns) do
      local j = resolve_column(key, names, header, ncols, path, first_line, format("columns[%d]:", i))
      if j == label_index then
        fail(path, first_line, 'columns[%d]: column %d ("%s") is the label column; give label = false to use '
             .. "it as a feature", i, j, names[j])
      end
      if seen[j] then
        fail(path, first_line, 'columns[%d]: column %d ("%s") is already listed', i, j, names[j])
      end
      seen[j] = true
      columns[i] = j
    end
  else
    for j = 1, ncols do
      if j ~= label_index then columns[#columns + 1] = j end
    end
    if #columns == 0 then
      fail(path, first_line, "no feature columns: the file has 1 column and it is the label "
           .. "(give label = false to read it as a feature)")
    end
  end

  -- One pass fills the matrices, sized for the most rows the file can hold (its line count) and cut to the
  -- rows found. The labels are class names when the first one is not a number; when a later one is not a number,
  -- the pass starts again reading all of them as class names.
  local max_rows = 1
  local lf = find(text, "\n", 1, true)
  while lf do
    max_rows = max_rows + 1
    lf = find(text, "\n", lf + 1, true)
  end
  local nfeatures = #columns
  local X, Y, rows, classes

  local function fill(class_labels)
    X = il.zeros(nfeatures, max_rows)
    Y = label_index and il.zeros(1, max_rows) or nil
    local set = X.set
    local class_of = {}
    classes = class_labels and {} or nil
    local r = 0
    local next_row = each_record(ncols)
    if header then next_row() end
    for n, line in next_row do
      if n ~= ncols then fail(path, line, "expected %d fields, got %d", ncols, n) end
      r = r + 1
      for k = 1, nfeatures do
        local j = columns[k]
        local s = fields[j]
        local v = tonumber(s) or to_number(s)
        if v == nil then
          fail(path, line, 'field %d ("%s") is %s, expected a number', j, names[j], show(s))
        end
        set(X, k, r, v)
      end
      if label_index then
        local s = fields[label_index]
        local v = not classes and (tonumber(s) or to_number(s))
        if not v then
          s = trim(s)
          if s == "" then
            fail(path, line, 'the label (field %d, "%s") is empty', label_index, names[label_index])
          end
          if not classes then
            if r > 1 then return false end -- a class name after numbers: read them all as names
            classes = {}
          end
          v = class_of[s]
          if not v then
            v = #classes
            classes[v + 1] = s
            class_of[s] = v
          end
        end
        set(Y, 1, r, v)
      end
    end
    rows = r
    return true
  end

  if not fill(false) then fill(true) end
  if rows == 0 then
    error(format("%s: no data rows%s", path, header and format(" after the header on line %d", first_line) or ""), 0)
  end
  if rows < max_rows then
    X = X:slice(1, nfeatures, 1, rows)
    if Y then Y = Y:slice(1, 1, 1, rows) end
  end

  local feature_names = {}
  for k = 1, nfeatures do feature_names[k] = names[columns[k]] end
  local info = {
    feature_names = feature_names,
    label_name = label_index and names[label_index] or nil,
    label_column = label_index,
    columns = columns,
    rows = rows,
    header = header,
    classes = classes,
  }
  return X, Y, info
end

-- ---------------------------------------------------------------------------------------------------------
-- Writing

-- The shortest decimal that reads back as exactly v.
local function number_text(v)
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  for digits = 15, 17 do
    local s = format("%." .. digits .. "g", v)
    if tonumber(s) == v then return s end
  end
  return format("%.17g", v)
end

local function quote_if_needed(s, delimiter)
  if find(s, '["\r\n]') or find(s, delimiter, 1, true) or s ~= trim(s) then
    return '"' .. s:gsub('"', '""') .. '"'
  end
  return s
end

function M.write(path, X, Y, info)
  if type(path) ~= "string" then error("csv.write: path must be a string, got " .. type(path), 2) end
  if not il.ismatrix(X) then error("csv.write: X must be a matrix (features x examples)", 2) end
  info = info or {}
  if type(info) ~= "table" then error("csv.write: info must be a table, got " .. type(info), 2) end
  local nfeatures, rows = X:shape()
  if Y ~= nil then
    if not il.ismatrix(Y) then error("csv.write: Y must be a matrix (1 x examples) or nil", 2) end
    local yr, yc = Y:shape()
    if yr ~= 1 or yc ~= rows then
      error(format("csv.write: Y must be 1 x %d to match X's %d examples, got %d x %d", rows, rows, yr, yc), 2)
    end
  end
  local delimiter = info.delimiter or ","
  if type(delimiter) ~= "string" or #delimiter ~= 1 or delimiter == '"' or delimiter == "\n" or delimiter == "\r" then
    error("csv.write: delimiter must be one character other than a quote or a line break", 2)
  end
  local classes = info.classes
  local names = info.feature_names or {}
  if #names ~= 0 and #names ~= nfeatures then
    error(format("csv.write: %d feature_names for %d features", #names, nfeatures), 2)
  end

  local lines = {}
  if info.header ~= false then
    local head = {}
    for k = 1, nfeatures do head[k] = quote_if_needed(tostring(names[k] or "x" .. k), delimiter) end
    if Y then head[nfeatures + 1] = quote_if_needed(tostring(info.label_name or "y"), delimiter) end
    lines[1] = concat(head, delimiter)
  end
  local row = {}
  for r = 1, rows do
    for k = 1, nfeatures do row[k] = number_text(X:get(k, r)) end
    if Y then
      local y = Y:get(1, r)
      if classes then
        local c = math.tointeger(y)
        local name = c and classes[c + 1]
        if not name then
          error(format("csv.write: Y[%d] = %s is not a class number 0..%d of info.classes", r, tostring(y),
                       #classes - 1), 2)
        end
        row[nfeatures + 1] = quote_if_needed(tostring(name), delimiter)
      else
        row[nfeatures + 1] = number_text(y)
      end
    end
    lines[#lines + 1] = concat(row, delimiter, 1, nfeatures + (Y and 1 or 0))
  end

  local f, err = io.open(path, "wb")
  if not f then error("cannot write " .. tostring(err), 2) end
  lines[#lines + 1] = ""
  local ok, werr = f:write(concat(lines, "\n"))
  f:close()
  if not ok then error(format("cannot write %s: %s", path, tostring(werr)), 2) end
end

return M
