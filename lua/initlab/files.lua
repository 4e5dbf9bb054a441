--- initlab.files: writing result files safely.
--
--   files.write_atomic(path, text)  writes text to path so a reader never sees a half-written file
--   files.mkdir_p(dir)              creates dir and its parents (like `mkdir -p`)
--   files.read(path)                the whole content of a file (errors clearly when it cannot be read)
--   files.exists(path)              true when path can be opened for reading
--   files.join(a, b, ...)           joins path parts with "/"
--   files.dirname(path)             the directory part of path ("." when there is none)
--   files.shell_quote(s)            s quoted for a POSIX shell
--
-- Plain Lua has no fsync or mkdir: the atomic write relies on rename(2) replacing the target in one
-- step, and directories are made by the system's `mkdir -p`.
local M = {}

local function check_path(path, what)
  if type(path) ~= "string" or path == "" then
    error(("%s must be a non-empty string, got %s"):format(what, type(path) == "string" and '""' or type(path)), 3)
  end
  if path:find("\0", 1, true) then error(what .. " must not contain a NUL byte", 3) end
end

--- Quotes s for /bin/sh: inside single quotes only the quote itself needs care.
function M.shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

function M.join(...)
  local parts = {}
  for i = 1, select("#", ...) do
    local p = select(i, ...)
    if p ~= nil and p ~= "" then
      if #parts > 0 then p = p:gsub("^/+", "") end
      if i < select("#", ...) then p = p:gsub("/+$", "") end
      parts[#parts + 1] = p
    end
  end
  return table.concat(parts, "/")
end

function M.dirname(path)
  local dir = path:match("^(.*)/[^/]*$")
  if dir == nil then return "." end
  if dir == "" then return "/" end
  return dir
end

function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- io.open's message is "<name>: <reason>"; keep the reason to say it in terms of the caller's path.
local function reason(msg, name)
  msg = tostring(msg)
  if name and msg:sub(1, #name + 2) == name .. ": " then return msg:sub(#name + 3) end
  return msg
end

function M.read(path)
  check_path(path, "path")
  local f, err = io.open(path, "rb")
  if not f then error(("cannot read %s: %s"):format(path, reason(err, path)), 2) end
  local text = f:read("a")
  f:close()
  return text
end

function M.mkdir_p(dir)
  check_path(dir, "directory")
  -- `--` keeps a name starting with "-" from being read as an option; 2>&1 captures mkdir's reason.
  local pipe = io.popen("mkdir -p -- " .. M.shell_quote(dir) .. " 2>&1", "r")
  local out = pipe:read("a")
  local ok = pipe:close()
  if not ok then
    local why = out:match(": ([^:\n]+)\n?$") or "mkdir failed"
    error(("cannot create directory %s: %s"):format(dir, why), 2)
  end
  return dir
end

-- A name unlikely to collide with another writer of the same file (another process or this one).
local counter = 0
local function temp_name(path)
  counter = counter + 1
  local unique = tostring({}):match("0x(%x+)") or tostring(os.time())
  return ("%s.tmp-%s-%d"):format(path, unique, counter)
end

function M.write_atomic(path, text)
  check_path(path, "path")
  if type(text) ~= "string" then
    error(("text for %s must be a string, got %s"):format(path, type(text)), 2)
  end
  -- The temporary file lives in the target's directory so the rename stays on one file system.
  local tmp = temp_name(path)
  local f, err = io.open(tmp, "wb")
  if not f then error(("cannot write %s: %s"):format(path, reason(err, tmp)), 2) end
  local ok, werr = f:write(text)
  if ok then ok, werr = f:flush() end
  local closed, cerr = f:close()
  if not ok or not closed then
    os.remove(tmp)
    error(("cannot write %s: %s"):format(path, reason(werr or cerr, tmp)), 2)
  end
  local renamed, rerr = os.rename(tmp, path)
  if not renamed then
    os.remove(tmp)
    error(("cannot write %s: %s"):format(path, reason(rerr, tmp)), 2)
  end
  return path
end

return M
