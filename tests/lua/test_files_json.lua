-- test_files_json.lua: result files are written whole or not at all, with clear errors, and JSON
-- output reads back (with lua-cjson) to exactly the values written, in a stable text.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"
local cjson = require "cjson"
local files = il.files
local json = il.json

local assert_error_like = support.assert_error_like

-- A fresh scratch directory per test, removed afterwards.
local scratch
local function setup()
  scratch = os.tmpname()
  os.remove(scratch)
  assert(os.execute("mkdir -p " .. files.shell_quote(scratch)))
end
local function teardown()
  os.execute("rm -rf " .. files.shell_quote(scratch))
end

local function listing(dir)
  local p = io.popen("ls -A " .. files.shell_quote(dir))
  local names = {}
  for line in p:lines() do names[#names + 1] = line end
  p:close()
  table.sort(names)
  return names
end

local function is_root()
  local p = io.popen("id -u")
  local uid = p:read("l")
  p:close()
  return uid == "0"
end

TestFiles = { setUp = setup, tearDown = teardown }

function TestFiles.test_write_atomic_writes_and_replaces()
  local path = scratch .. "/out.txt"
  lu.assertEquals(files.write_atomic(path, "first\n"), path)
  lu.assertEquals(files.read(path), "first\n")
  files.write_atomic(path, "second, longer text\0with a NUL byte")
  lu.assertEquals(files.read(path), "second, longer text\0with a NUL byte")
  -- No temporary file is left beside the target.
  lu.assertEquals(listing(scratch), { "out.txt" })
end

function TestFiles.test_replaces_by_rename_so_readers_see_whole_versions()
  -- A reader that opened the old file keeps reading the whole old text: the new text went to another
  -- file that replaced the name in one step (writing in place would truncate what the reader sees).
  local path = scratch .. "/index.html"
  files.write_atomic(path, "old version, complete")
  local reader = assert(io.open(path, "rb"))
  files.write_atomic(path, "new")
  lu.assertEquals(reader:read("a"), "old version, complete")
  reader:close()
  lu.assertEquals(files.read(path), "new")
end

function TestFiles.test_failed_write_leaves_target_and_no_temp()
  -- The target is a directory: the rename fails after the text was written to the temporary file.
  local target = scratch .. "/report.html"
  files.mkdir_p(target)
  files.write_atomic(target .. "/keep.txt", "kept")
  assert_error_like("cannot write " .. target .. ": ", files.write_atomic, target, "new text")
  lu.assertEquals(listing(scratch), { "report.html" })
  lu.assertEquals(files.read(target .. "/keep.txt"), "kept")
end

function TestFiles.test_write_errors_name_the_path_and_reason()
  local path = scratch .. "/missing/index.html"
  assert_error_like("cannot write " .. path .. ": No such file or directory", files.write_atomic, path, "x")
  files.write_atomic(scratch .. "/plain", "x")
  assert_error_like("cannot write " .. scratch .. "/plain/index.html: Not a directory",
                    files.write_atomic, scratch .. "/plain/index.html", "x")
  if not is_root() then -- root may write anywhere
    files.mkdir_p(scratch .. "/locked")
    os.execute("chmod 500 " .. files.shell_quote(scratch .. "/locked"))
    assert_error_like("cannot write " .. scratch .. "/locked/index.html: Permission denied",
                      files.write_atomic, scratch .. "/locked/index.html", "x")
  end
  assert_error_like("text for", files.write_atomic, scratch .. "/a", 42)
  assert_error_like("path must be a non-empty string", files.write_atomic, "", "x")
end

function TestFiles.test_mkdir_p_survives_spaces_quotes_and_shell_syntax()
  local name = scratch .. "/a b/it's \"quoted\"/$(touch pwned); `touch pwned2` -x"
  lu.assertEquals(files.mkdir_p(name), name)
  files.mkdir_p(name) -- again: already there is fine
  files.write_atomic(name .. "/f.txt", "ok")
  lu.assertEquals(files.read(name .. "/f.txt"), "ok")
  lu.assertFalse(files.exists("pwned"))
  lu.assertFalse(files.exists("pwned2"))
  lu.assertEquals(listing(scratch), { "a b" })
end

function TestFiles.test_mkdir_p_errors()
  files.write_atomic(scratch .. "/file", "x")
  assert_error_like("cannot create directory " .. scratch .. "/file/sub: Not a directory", files.mkdir_p,
                    scratch .. "/file/sub")
  assert_error_like("must not contain a NUL byte", files.mkdir_p, scratch .. "/a\0b")
  assert_error_like("directory must be a non-empty string", files.mkdir_p, nil)
end

function TestFiles.test_read_error_and_path_helpers()
  assert_error_like("cannot read " .. scratch .. "/nope: No such file or directory", files.read, scratch .. "/nope")
  lu.assertEquals(files.join("a/", "/b/", "c.svg"), "a/b/c.svg")
  lu.assertEquals(files.join("/root", "x"), "/root/x")
  lu.assertEquals(files.dirname("a/b/c.html"), "a/b")
  lu.assertEquals(files.dirname("c.html"), ".")
  lu.assertEquals(files.dirname("/c.html"), "/")
  lu.assertEquals(files.shell_quote("it's"), "'it'\\''s'")
end

TestJsonNumbers = {}

function TestJsonNumbers.test_doubles_round_trip_exactly()
  local values = { 0.1, 1 / 3, 2 / 3, 1e-300, 2 ^ 53 + 2, 2 ^ 53, 5e-324, 2.2250738585072014e-308,
                   1.7976931348623157e308, -123456.789e-7, 0.6931471805599453, math.pi, -0.0, 1e22, 1e21 + 2 ^ 20 }
  local text = json.encode(values)
  local back = cjson.decode(text)
  lu.assertEquals(#back, #values)
  for i, v in ipairs(values) do
    lu.assertTrue(back[i] == v, ("value %d: %.17g came back as %.17g from %s"):format(i, v, back[i], text))
  end
end

function TestJsonNumbers.test_number_forms()
  lu.assertEquals(json.encode(3), "3")
  lu.assertEquals(json.encode(3.0), "3")            -- an integral double reads as an integer
  lu.assertEquals(json.encode(-17), "-17")
  lu.assertEquals(json.encode(math.maxinteger), "9223372036854775807")
  lu.assertEquals(json.encode(0.1), "0.1")          -- the shortest exact form, not 0.10000000000000001
  lu.assertEquals(json.encode(1 / 3), "0.3333333333333333")   -- 16 digits suffice here
  lu.assertEquals(json.encode(0.1 + 0.2), "0.30000000000000004") -- and 17 here
  lu.assertEquals(json.encode(2 ^ 53 + 2), "9007199254740994")
  lu.assertEquals(json.encode(1e-300), "1e-300")
end

function TestJsonNumbers.test_non_finite_become_strings()
  lu.assertEquals(json.encode { math.huge, -math.huge, 0 / 0 }, '["inf","-inf","nan"]')
  lu.assertEquals(cjson.decode(json.encode { cost = math.huge }).cost, "inf")
end

TestJsonStructure = {}

function TestJsonStructure.test_objects_sorted_arrays_in_order()
  lu.assertEquals(json.encode { b = 1, a = { 3, 2, 1 }, c = { z = true, y = false } },
                  '{"a":[3,2,1],"b":1,"c":{"y":false,"z":true}}')
  lu.assertEquals(json.encode {}, "[]")
  lu.assertEquals(json.encode(json.object()), "{}")
  lu.assertEquals(json.encode(json.object { k = 1 }), '{"k":1}')
  lu.assertEquals(json.encode { json.null, 1 }, "[null,1]")
  lu.assertEquals(json.encode(nil), "null")
  local shared = { 1 }
  lu.assertEquals(json.encode { a = shared, b = shared }, '{"a":[1],"b":[1]}') -- twice is not a cycle
end

function TestJsonStructure.test_stable_output()
  local v = {}
  for i = 1, 50 do v["k" .. i] = i end
  local first = json.encode(v)
  for _ = 1, 5 do lu.assertEquals(json.encode(v), first) end
end

function TestJsonStructure.test_indent()
  local text = json.encode({ name = "he", costs = { 0.5, 0.25 }, empty = {} }, { indent = 2 })
  lu.assertEquals(text, '{\n  "costs": [\n    0.5,\n    0.25\n  ],\n  "empty": [],\n  "name": "he"\n}')
  lu.assertEquals(cjson.decode(text).costs[2], 0.25)
end

function TestJsonStructure.test_matrix_as_rows()
  lu.assertEquals(json.encode(il.matrix { { 1, 2.5 }, { 3, math.huge } }), '[[1,2.5],[3,"inf"]]')
  lu.assertEquals(json.encode { W1 = il.matrix { 0.1, 0.2 } }, '{"W1":[[0.1,0.2]]}')
  local m = il.matrix { { 1 / 3, 1e-300 }, { 2 ^ 53 + 2, -0.1 } }
  lu.assertEquals(cjson.decode(json.encode(m)), m:totable())
end

function TestJsonStructure.test_strings_escaped_per_rfc8259()
  lu.assertEquals(json.encode('a"b\\c/d'), '"a\\"b\\\\c/d"')
  lu.assertEquals(json.encode("\n\r\t\b\f"), '"\\n\\r\\t\\b\\f"')
  lu.assertEquals(json.encode("\0\1\31\127"), '"\\u0000\\u0001\\u001f\127"')
  lu.assertEquals(json.encode("é ∞ \u{2028}"), '"é ∞ \\u2028"')
  local s = "quote \" backslash \\ nul \0 tab \t bell \7 unicode é ∞ 😀 line\u{2029}"
  lu.assertEquals(cjson.decode(json.encode { s })[1], s)
  lu.assertEquals(json.encode { ["key \"q\""] = 1 }, '{"key \\"q\\"":1}')
end

function TestJsonStructure.test_errors_say_where()
  local t = { a = { b = {} } }
  t.a.b.c = t
  assert_error_like("cycle at value.a.b.c", json.encode, t)
  assert_error_like("mixes string keys with array indices", json.encode, { 1, 2, x = 3 })
  assert_error_like("array at value has holes", json.encode, { [1] = 1, [3] = 3 })
  assert_error_like("cannot encode a function at value.f", json.encode, { f = print })
  assert_error_like("cannot encode a userdata at value[1]", json.encode, { io.stdout })
  assert_error_like("key of type float", json.encode, { [1.5] = 1 })
  assert_error_like("key of type boolean", json.encode, { [true] = 1 })
  assert_error_like("invalid UTF-8", json.encode, { name = "\255" })
  assert_error_like("indent must be", json.encode, {}, { indent = -1 })
end

TestJsonWrite = { setUp = setup, tearDown = teardown }

function TestJsonWrite.test_write_is_atomic_and_decodes()
  local path = scratch .. "/results.json"
  local value = { init = "he", costs = { math.huge, 0.6931471805599453 }, accuracy = 0.9933333333333333 }
  lu.assertEquals(json.write(path, value), path)
  local text = files.read(path)
  lu.assertEquals(text:sub(-1), "\n")
  lu.assertEquals(cjson.decode(text), { init = "he", costs = { "inf", 0.6931471805599453 }, accuracy = 0.9933333333333333 })
  lu.assertEquals(listing(scratch), { "results.json" })
  -- An unencodable value writes nothing and keeps the old file.
  assert_error_like("cannot encode a function", json.write, path, { f = print })
  lu.assertEquals(files.read(path), text)
  assert_error_like("cannot write", json.write, scratch .. "/no/such/dir.json", {})
end

os.exit(lu.LuaUnit.run())
