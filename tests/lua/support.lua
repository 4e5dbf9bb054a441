-- support.lua: what the Lua test suites share: an assertion on error messages, and running the built
-- host on a script as a user would (tests run from the source root, through ctest).
local lu = require "luaunit"
local golden = require "golden"

local support = {}

-- f(...) must raise an error whose message contains `fragment` (plain text, not a pattern).
function support.assert_error_like(fragment, f, ...)
  local ok, err = pcall(f, ...)
  lu.assertFalse(ok, "expected an error containing: " .. fragment)
  lu.assertStrContains(tostring(err), fragment)
end

-- run(args) -> output (stdout and stderr together), exit code of `initlab args`.
function support.run(args)
  local initlab = assert(os.getenv("INITLAB_BUILD_DIR"), "run through ctest (INITLAB_BUILD_DIR)") .. "/initlab"
  local p = assert(io.popen(initlab .. " " .. args .. " 2>&1"))
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

-- run_json(args) -> the JSON that `initlab args --json FILE` wrote (non-finite numbers restored), and its
-- output; the command must succeed.
function support.run_json(args)
  local path = os.tmpname()
  local out, code = support.run(args .. " --json " .. path)
  lu.assertEquals(code, 0, out)
  local result = golden.load_file(path)
  os.remove(path)
  return result, out
end

return support
