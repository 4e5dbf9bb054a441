-- test_csv.lua: il.csv.read and il.csv.write: the lesson layout (features x examples), every option, quoting,
-- byte order marks and CRLF, NaN and infinity, string labels, a round trip, and an error with a line number
-- for every kind of bad file.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"
local csv = il.csv

local DATA = "tests/data/csv/"
local temp_files = {}

-- Writes `text` (bytes as given) to a fresh temporary file and returns its path.
local function file_with(text)
  local path = os.tmpname()
  temp_files[#temp_files + 1] = path
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  return path
end

local function read_text(text, opts)
  return csv.read(file_with(text), opts)
end

-- The error message of csv.read on a file holding `text`, checked to start with "<path>:<line>: ".
local function read_error(text, opts, line)
  local path = file_with(text)
  local ok, err = pcall(csv.read, path, opts)
  lu.assertFalse(ok, "expected csv.read to fail")
  err = tostring(err)
  if line then
    lu.assertEquals(err:sub(1, #path + #tostring(line) + 3), path .. ":" .. line .. ": ", err)
    return err:sub(#path + #tostring(line) + 4)
  end
  return err
end

local assert_error_like = support.assert_error_like

local function is_nan(x) return x ~= x end

TestLayout = {}
function TestLayout.test_one_column_per_example_and_last_column_label()
  local X, Y, info = read_text("1,2,0\n3,4,1\n5,6,1\n")
  lu.assertEquals({X:shape()}, {2, 3})
  lu.assertEquals(X:totable(), {{1, 3, 5}, {2, 4, 6}})
  lu.assertEquals({Y:shape()}, {1, 3})
  lu.assertEquals(Y:totable(), {{0, 1, 1}})
  lu.assertEquals(info.rows, 3)
  lu.assertFalse(info.header)
  lu.assertEquals(info.feature_names, {"x1", "x2"})
  lu.assertEquals(info.label_name, "y")
  lu.assertEquals(info.label_column, 3)
  lu.assertEquals(info.columns, {1, 2})
  lu.assertNil(info.classes)
end

function TestLayout.test_no_final_newline()
  local X, Y = read_text("1,2,0\n3,4,1")
  lu.assertEquals(X:totable(), {{1, 3}, {2, 4}})
  lu.assertEquals(Y:totable(), {{0, 1}})
end

function TestLayout.test_fixture_with_header_comments_blank_lines_and_classes()
  local X, Y, info = csv.read(DATA .. "iris_sample.csv")
  lu.assertEquals({X:shape()}, {4, 6})
  lu.assertEquals(X:get(1, 1), 5.1)
  lu.assertEquals(X:get(4, 6), 1.9)
  lu.assertEquals(Y:totable(), {{0, 0, 1, 1, 2, 2}})
  lu.assertTrue(info.header)
  lu.assertEquals(info.feature_names, {"sepal_length", "sepal_width", "petal_length", "petal_width"})
  lu.assertEquals(info.label_name, "species")
  lu.assertEquals(info.classes, {"setosa", "versicolor", "virginica"})
  lu.assertEquals(info.rows, 6)
end

function TestLayout.test_many_rows_match_a_reference_sum()
  -- Enough rows to exercise the fast path and the cut from the line count to the rows found.
  local lines, want_x, want_y = {"a,b,label", "# a comment", ""}, 0, 0
  for i = 1, 20000 do
    local a, b = i * 0.25, -i / 8
    lines[#lines + 1] = string.format("%.17g,%.17g,%d", a, b, i % 3)
    want_x, want_y = want_x + a + b, want_y + i % 3
  end
  local X, Y, info = read_text(table.concat(lines, "\n") .. "\n\n")
  lu.assertEquals(info.rows, 20000)
  lu.assertEquals({X:shape()}, {2, 20000})
  lu.assertEquals(X:sum(), want_x)
  lu.assertEquals(Y:sum(), want_y)
  lu.assertEquals(X:get(2, 20000), -2500)
end

function TestLayout.test_wide_file_beyond_the_fast_path()
  local head, row = {}, {}
  for j = 1, 40 do
    head[j] = "c" .. j
    row[j] = tostring(j)
  end
  local X, Y, info = read_text(table.concat(head, ",") .. "\n" .. table.concat(row, ",") .. "\n"
                               .. table.concat(row, ",") .. "\n")
  lu.assertEquals({X:shape()}, {39, 2})
  lu.assertEquals(X:get(39, 2), 39)
  lu.assertEquals(Y:totable(), {{40, 40}})
  lu.assertEquals(info.feature_names[39], "c39")
  lu.assertEquals(info.label_name, "c40")
end

TestOptions = {}
function TestOptions.test_label_by_name_and_index()
  local text = "id,label,f1,f2\n1,0,0.5,1.5\n2,1,2.5,3.5\n"
  local X, Y, info = read_text(text, {label = "label"})
  lu.assertEquals(info.feature_names, {"id", "f1", "f2"})
  lu.assertEquals(Y:totable(), {{0, 1}})
  lu.assertEquals(X:totable(), {{1, 2}, {0.5, 2.5}, {1.5, 3.5}})
  local X2, Y2, info2 = read_text(text, {label = 2})
  lu.assertEquals(X2:totable(), X:totable())
  lu.assertEquals(Y2:totable(), Y:totable())
  lu.assertEquals(info2.label_name, "label")
  lu.assertEquals(info2.label_column, 2)
end

function TestOptions.test_label_false_keeps_every_column()
  local X, Y, info = read_text("1,2,3\n4,5,6\n", {label = false})
  lu.assertNil(Y)
  lu.assertEquals(X:totable(), {{1, 4}, {2, 5}, {3, 6}})
  lu.assertNil(info.label_name)
  lu.assertNil(info.label_column)
  lu.assertEquals(info.feature_names, {"x1", "x2", "x3"})
  local X1 = read_text("7\n8\n", {label = false}) -- a single column
  lu.assertEquals(X1:totable(), {{7, 8}})
end

function TestOptions.test_columns_by_name_and_index_in_the_given_order()
  local text = "a,b,c,y\n1,2,3,0\n4,5,6,1\n"
  local X, Y, info = read_text(text, {columns = {"c", "a"}})
  lu.assertEquals(X:totable(), {{3, 6}, {1, 4}})
  lu.assertEquals(info.feature_names, {"c", "a"})
  lu.assertEquals(info.columns, {3, 1})
  lu.assertEquals(Y:totable(), {{0, 1}})
  local X2, _, info2 = read_text(text, {columns = {2, "c"}, label = "a"})
  lu.assertEquals(X2:totable(), {{2, 5}, {3, 6}})
  lu.assertEquals(info2.label_name, "a")
end

function TestOptions.test_header_detection()
  -- a name among the features: a header
  local _, _, info = read_text("a,b,y\n1,2,0\n")
  lu.assertTrue(info.header)
  -- all numbers: no header
  _, _, info = read_text("1,2,0\n3,4,1\n")
  lu.assertFalse(info.header)
  -- only the label is text and the next label is too: string labels, no header (like UCI's iris.data)
  local X, Y
  X, Y, info = read_text("1,2,cat\n3,4,dog\n5,6,cat\n")
  lu.assertFalse(info.header)
  lu.assertEquals(info.rows, 3)
  lu.assertEquals(info.classes, {"cat", "dog"})
  lu.assertEquals(Y:totable(), {{0, 1, 0}})
  -- only the label is text and the next label is a number: a header over numbered columns
  X, Y, info = read_text("1,2,label\n3,4,1\n5,6,0\n")
  lu.assertTrue(info.header)
  lu.assertEquals(info.feature_names, {"1", "2"})
  lu.assertEquals(X:totable(), {{3, 5}, {4, 6}})
  lu.assertEquals(Y:totable(), {{1, 0}})
  -- an empty field does not make a header: the row is data, and the empty field an error
  lu.assertStrContains(read_error("1,,0\n3,4,1\n", nil, 1), 'field 2 ("x2") is "", expected a number')
  -- naming a column implies a header
  _, _, info = read_text("1,2,3\n4,5,6\n", {label = "3"})
  lu.assertTrue(info.header)
  lu.assertEquals(info.feature_names, {"1", "2"})
end

function TestOptions.test_header_given()
  local X, Y, info = read_text("1,2,3\n4,5,6\n", {header = true})
  lu.assertEquals(info.rows, 1)
  lu.assertEquals(info.feature_names, {"1", "2"})
  lu.assertEquals(info.label_name, "3")
  lu.assertEquals(X:totable(), {{4}, {5}})
  lu.assertEquals(Y:totable(), {{6}})
  -- header = false: a text row is data, hence an error on line 1
  lu.assertStrContains(read_error("a,b,y\n1,2,0\n", {header = false}, 1), 'field 1 ("x1") is "a", expected a number')
  -- header names are trimmed; an empty name becomes x<column>
  _, _, info = read_text(" a , ,y\n1,2,0\n")
  lu.assertEquals(info.feature_names, {"a", "x2"})
end

function TestOptions.test_delimiters()
  local X, Y = read_text("a;b;y\n1.5;2;0\n3;4;1\n", {delimiter = ";"})
  lu.assertEquals(X:totable(), {{1.5, 3}, {2, 4}})
  lu.assertEquals(Y:totable(), {{0, 1}})
  X, Y = read_text("a\tb\ty\n1.5\t2\t0\n3\t4\t1\n", {delimiter = "\t"})
  lu.assertEquals(X:totable(), {{1.5, 3}, {2, 4}})
  lu.assertEquals(Y:totable(), {{0, 1}})
  -- "|" is a pattern character: it must be taken literally
  X = read_text('1|2|0\n"3"|4|1\n', {delimiter = "|"})
  lu.assertEquals(X:totable(), {{1, 3}, {2, 4}})
  -- a comma is then an ordinary character: "1,5" is not a number
  lu.assertStrContains(read_error("a;y\n1,5;0\n", {delimiter = ";"}, 2), '"1,5", expected a number')
end

function TestOptions.test_comments()
  local text = "# made by hand\na,y\n# between rows\n1,0\n2,1\n"
  local X, _, info = read_text(text)
  lu.assertEquals(X:totable(), {{1, 2}})
  lu.assertEquals(info.feature_names, {"a"})
  -- another prefix
  X = read_text("% octave style\na,y\n1,0\n", {comment = "%"})
  lu.assertEquals(X:totable(), {{1}})
  -- a longer prefix: only lines starting with all of it are comments
  X = read_text("//note\n1,0\n", {comment = "//"})
  lu.assertEquals(X:totable(), {{1}})
  lu.assertStrContains(read_error("//note\n1,0\n/2,1\n", {comment = "//"}, 3), 'is "/2", expected a number')
  -- comment = false: a "#" line is a row like any other
  local err = read_error("a,y\n# not a comment\n1,0\n", {comment = false}, 2)
  lu.assertStrContains(err, "expected 2 fields, got 1")
  -- a quote in a comment line does not confuse the quote handling of later rows
  X = read_text('# say "hi\na,y\n1,0\n"2",1\n')
  lu.assertEquals(X:totable(), {{1, 2}})
end

function TestOptions.test_skip_blank()
  local text = "a,y\n\n1,0\n   \n2,1\r\n\r\n"
  local X = read_text(text)
  lu.assertEquals(X:totable(), {{1, 2}})
  lu.assertStrContains(read_error(text, {skip_blank = false}, 2), "expected 2 fields, got 1")
  -- one column: a blank line is an empty value
  lu.assertStrContains(read_error("1\n\n2\n", {skip_blank = false, label = false}, 2),
                       'field 1 ("x1") is "", expected a number')
end

TestValues = {}
function TestValues.test_nan_and_infinity()
  local X, Y, info = csv.read(DATA .. "special_values.tsv", {delimiter = "\t"})
  lu.assertFalse(info.header)
  lu.assertEquals({X:shape()}, {3, 4})
  lu.assertTrue(is_nan(X:get(1, 1)))
  lu.assertTrue(is_nan(X:get(1, 2)))
  lu.assertEquals(X:get(1, 3), math.huge)
  lu.assertEquals(X:get(2, 1), math.huge)
  lu.assertEquals(X:get(2, 3), math.huge)
  lu.assertEquals(X:get(3, 1), -math.huge)
  lu.assertEquals(X:get(3, 3), -math.huge)
  lu.assertEquals(X:get(1, 4), 1e308)
  lu.assertEquals(1 / X:get(2, 4), -math.huge) -- -0.0 keeps its sign
  lu.assertEquals(X:get(3, 4), 16)             -- anything tonumber reads, hex included
  lu.assertEquals(Y:totable(), {{0, 1, 0, 1}})
  -- NaN labels are numbers too
  local _, Y2 = read_text("1,nan\n2,1\n")
  lu.assertTrue(is_nan(Y2:get(1, 1)))
  -- spaces around numbers are fine
  local X3 = read_text(" 1.5 , -2 ,  0\n")
  lu.assertEquals(X3:totable(), {{1.5}, {-2}})
end

function TestValues.test_quoted_fields()
  local X, Y, info = csv.read(DATA .. "quoted.csv")
  lu.assertEquals(info.feature_names, {"x", "y, the second"})
  lu.assertEquals(X:totable(), {{1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}})
  lu.assertEquals(info.classes, {"plain", "with, comma", 'say "hi"', "two\nlines"})
  lu.assertEquals(Y:totable(), {{0, 1, 2, 3, 0}})
  -- quoted numbers, an empty quoted name, a quoted field at the end of the file without a newline
  X, Y, info = read_text('"a","",y\n"1.5","2",0\n3,"4","1"')
  lu.assertEquals(info.feature_names, {"a", "x2"})
  lu.assertEquals(X:totable(), {{1.5, 3}, {2, 4}})
  lu.assertEquals(Y:totable(), {{0, 1}})
  -- a quoted field with CRLF inside and after it
  X, Y, info = read_text('a,y\r\n1,"one\r\nline"\r\n2,"b"\r\n')
  lu.assertEquals(info.classes, {"one\r\nline", "b"})
  lu.assertEquals(X:totable(), {{1, 2}})
end

function TestValues.test_line_numbers_count_lines_inside_quotes()
  -- the record on line 2 spans lines 2-4, so the short row is on line 5
  local err = read_error('a,y\n1,"x\n\ny"\n2\n', nil, 5)
  lu.assertStrContains(err, "expected 2 fields, got 1")
end

function TestValues.test_bom_and_crlf()
  local X, Y, info = csv.read(DATA .. "spreadsheet_export.csv", {delimiter = ";"})
  lu.assertEquals(info.feature_names, {"height; cm", 'weight ("kg")'})
  lu.assertEquals(info.label_name, "label") -- no byte order mark stuck to the first name
  lu.assertEquals(X:totable(), {{170.5, 182, 158.25}, {65.25, 80, 49.5}})
  lu.assertEquals(Y:totable(), {{1, 0, 1}}) -- no "\r" stuck to the last field
  -- no "\r" in what an error message shows either (one column: the general path, not the fast one)
  lu.assertStrContains(read_error("1\r\nabc\r\n", {label = false}, 2), 'is "abc", expected a number')
  lu.assertStrContains(read_error('"1",2\r\n"3",abc\r\n', {label = false}, 2), 'is "abc", expected a number')
  -- a byte order mark before an unquoted number
  X = read_text("\239\187\191" .. "1,0\r\n2,1\r\n")
  lu.assertEquals(X:totable(), {{1, 2}})
end

function TestValues.test_string_labels_in_order_of_first_appearance()
  local X, Y, info = read_text("f,class\n1,b\n2,a\n3, b \n4,c\n5,a\n")
  lu.assertEquals(info.classes, {"b", "a", "c"})
  lu.assertEquals(Y:totable(), {{0, 1, 0, 2, 1}})
  lu.assertEquals(X:totable(), {{1, 2, 3, 4, 5}})
end

function TestValues.test_a_text_label_after_numbers_makes_every_label_a_class()
  local _, Y, info = read_text("f,class\n1,1\n2,2\n3,cat\n4,1\n")
  lu.assertEquals(info.classes, {"1", "2", "cat"})
  lu.assertEquals(Y:totable(), {{0, 1, 2, 0}})
end

TestRoundTrip = {}
function TestRoundTrip.test_hand_written_file()
  -- exact doubles survive a file written with %.17g
  local values = {0.1, -1 / 3, 2 ^ -1074, 1.7976931348623157e308, 123456789.125, -0.0}
  local lines = {"p,q,label"}
  for i, v in ipairs(values) do
    lines[#lines + 1] = string.format("%.17g,%.17g,%d", v, -v * 3, i)
  end
  local X, Y, info = read_text(table.concat(lines, "\r\n") .. "\r\n")
  for i, v in ipairs(values) do
    lu.assertEquals(X:get(1, i), v)
    lu.assertEquals(X:get(2, i), -v * 3)
    lu.assertEquals(Y:get(1, i), i)
  end
  lu.assertEquals(info.rows, #values)
end

function TestRoundTrip.test_write_then_read()
  local X = il.matrix{{0.1, -2.5, 0 / 0, 1e-300}, {math.huge, -math.huge, 1 / 3, 7}}
  local Y = il.matrix{{1, 0, 2, 1}}
  local info = {feature_names = {"first, with comma", 'second "quoted"'}, label_name = "kind",
                classes = {"low", "mid", "high"}}
  local path = file_with("")
  csv.write(path, X, Y, info)
  local X2, Y2, info2 = csv.read(path)
  lu.assertEquals(info2.feature_names, info.feature_names)
  lu.assertEquals(info2.label_name, "kind")
  lu.assertEquals(info2.classes, {"mid", "low", "high"}) -- renumbered by first appearance
  lu.assertEquals(Y2:totable(), {{0, 1, 2, 0}})
  for i = 1, 2 do
    for j = 1, 4 do
      local a, b = X:get(i, j), X2:get(i, j)
      lu.assertTrue(a == b or (is_nan(a) and is_nan(b)), string.format("X[%d][%d]: %s ~= %s", i, j, a, b))
    end
  end
  -- numeric labels, no label, another delimiter, no header
  csv.write(path, X, il.matrix{{0.5, 1, 2, 3}}, {delimiter = "\t", header = false})
  local X3, Y3, info3 = csv.read(path, {delimiter = "\t"})
  lu.assertFalse(info3.header)
  lu.assertEquals(Y3:totable(), {{0.5, 1, 2, 3}})
  lu.assertEquals(X3:get(1, 1), 0.1)
  csv.write(path, X)
  local X4, Y4 = csv.read(path, {label = false})
  lu.assertNil(Y4)
  lu.assertEquals({X4:shape()}, {2, 4})
  -- the file is plain and short: shortest round-trip decimals
  local f = assert(io.open(path, "rb"))
  lu.assertEquals(f:read("l"), "x1,x2")
  lu.assertEquals(f:read("l"), "0.1,inf")
  f:close()
end

function TestRoundTrip.test_write_errors()
  local path = file_with("")
  local X = il.zeros(2, 3)
  assert_error_like("X must be a matrix", csv.write, path, {})
  assert_error_like("Y must be 1 x 3", csv.write, path, X, il.zeros(1, 2))
  assert_error_like("1 feature_names for 2 features", csv.write, path, X, nil, {feature_names = {"a"}})
  assert_error_like("Y[1] = 0.5 is not a class number 0..1", csv.write, path, X, il.matrix{{0.5, 0, 1}},
                    {classes = {"a", "b"}})
  assert_error_like("cannot write", csv.write, "/nonexistent-dir/x.csv", X)
end

TestErrors = {}
function TestErrors.test_missing_file()
  local ok, err = pcall(csv.read, "no/such/data.csv")
  lu.assertFalse(ok)
  lu.assertEquals(err, "cannot open no/such/data.csv: No such file or directory")
end

function TestErrors.test_wrong_number_of_fields_gives_the_line()
  local lines = {"# a comment", "a,b,y"}
  for i = 3, 16 do lines[i] = i .. "," .. i .. ",0" end
  lines[17] = "1,2"
  lines[18] = "1,2,3"
  local err = read_error(table.concat(lines, "\n") .. "\n", nil, 17)
  lu.assertEquals(err, "expected 3 fields, got 2")
  lu.assertEquals(read_error("1,2\n3,4,5\n", nil, 2), "expected 2 fields, got 3")
end

function TestErrors.test_bad_number_names_the_field()
  local err = read_error("id,x1,y\n1,2,0\n\n# note\n2,abc,1\n", nil, 5)
  lu.assertEquals(err, 'field 2 ("x1") is "abc", expected a number')
  err = read_error("a,y\n" .. string.rep("9", 100) .. "z,1\n", nil, 2)
  lu.assertEquals(err, 'field 1 ("a") is "' .. string.rep("9", 37) .. '...", expected a number') -- shortened
end

function TestErrors.test_label_column_errors()
  lu.assertStrContains(read_error("a,b,y\n1,2,0\n", {label = "target"}, 1),
                       'label column "target" is not in the header (columns: a, b, y)')
  lu.assertStrContains(read_error("a,b,y\n1,2,0\n", {label = 4}, 1),
                       "label column 4 is out of range: the file has 3 columns")
  lu.assertStrContains(read_error("1,2,0\n", {label = "y", header = false}, 1),
                       'label column "y" is given by name, but the file has no header')
  lu.assertStrContains(read_error("a,a,y\n1,2,0\n", {label = "a"}, 1), 'label column "a" is ambiguous')
  lu.assertStrContains(read_error("a,y\n1,\n", nil, 2), 'the label (field 2, "y") is empty')
  lu.assertStrContains(read_error("a,y\n1,cat\n2, \n", nil, 3), 'the label (field 2, "y") is empty')
  lu.assertStrContains(read_error("5\n6\n", nil, 1), "no feature columns")
end

function TestErrors.test_columns_errors()
  local text = "a,b,y\n1,2,0\n"
  lu.assertStrContains(read_error(text, {columns = {"a", "z"}}, 1), 'columns[2]: column "z" is not in the header')
  lu.assertStrContains(read_error(text, {columns = {0}}, 1), "columns[1]: column 0 is out of range")
  lu.assertStrContains(read_error(text, {columns = {"y"}}, 1), 'column 3 ("y") is the label column')
  lu.assertStrContains(read_error(text, {columns = {1, "a"}}, 1), 'columns[2]: column 1 ("a") is already listed')
end

function TestErrors.test_no_data_rows()
  local path = file_with("")
  assert_error_like(path .. ": no data rows (the file is empty)", csv.read, path)
  path = file_with("# only a comment\n\n")
  assert_error_like(path .. ": no data rows (only comments and blank lines)", csv.read, path)
  path = file_with("# a comment\na,b,y\n\n")
  assert_error_like(path .. ": no data rows after the header on line 2", csv.read, path)
end

function TestErrors.test_unterminated_quote_gives_the_line_it_started()
  local err = read_error('a,y\n1,0\n2,"never\n3,1\n4,0\n', nil, 3)
  lu.assertStrContains(err, "unterminated quote")
  lu.assertStrContains(err, "field 2")
end

function TestErrors.test_text_after_a_closing_quote()
  local err = read_error('a,y\n1,0\n"2"x,1\n', nil, 3)
  lu.assertStrContains(err, 'field 1: "x" after the closing quote, expected "," or the end of the line')
end

function TestErrors.test_bad_options()
  local path = DATA .. "iris_sample.csv"
  assert_error_like("unknown option delimeter", csv.read, path, {delimeter = ";"})
  assert_error_like("options must be a table", csv.read, path, ";")
  assert_error_like("path must be a string", csv.read, 42)
  assert_error_like("delimiter must be one character", csv.read, path, {delimiter = ", "})
  assert_error_like("delimiter must be one character", csv.read, path, {delimiter = '"'})
  assert_error_like("label must be a column name, a 1-based column index or false", csv.read, path, {label = true})
  assert_error_like("label must be", csv.read, path, {label = 1.5})
  assert_error_like("header must be true, false or nil", csv.read, path, {header = "yes"})
  assert_error_like("comment must be a non-empty string or false", csv.read, path, {comment = ""})
  assert_error_like("skip_blank must be true or false", csv.read, path, {skip_blank = 0})
  assert_error_like("columns must be a non-empty list", csv.read, path, {columns = {}})
  assert_error_like("columns[2] must be a column name or a 1-based index", csv.read, path, {columns = {1, true}})
end

local status = lu.LuaUnit.run()
for _, path in ipairs(temp_files) do os.remove(path) end
os.exit(status)
