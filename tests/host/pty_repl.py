#!/usr/bin/python3
"""Drives the initlab prompt through a pseudo-terminal, so the readline path is the one tested:
prompts, auto-printing, continuation lines, Tab completion, Ctrl-C while typing and while computing,
Ctrl-D and the history file.

usage: /usr/bin/python3 pty_repl.py <initlab> <history-file> <seconds-per-step>
Prints "ok - ..." / "not ok - ..." per check; exits 1 when any check failed.
"""
import os
import pty
import re
import select
import sys
import time


CONTROL_SEQUENCE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def shown(value):
    """The pattern of a result line: after the echoed line's newline (and readline's carriage return)."""
    return rb"\n\r?" + re.escape(value) + rb"\r\n"


class Session:
    def __init__(self, argv, env, step_timeout):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: its stdin, stdout and stderr are the terminal
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.step_timeout = step_timeout
        self.seen = b""     # everything the terminal showed, for diagnosis
        self.pending = b""  # what the checks have not consumed yet
        self.failures = 0

    def read_some(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            data = b""
        self.seen += data
        self.pending += data
        return bool(data)

    def expect(self, pattern):
        """Waits until `pattern` (a bytes regex) shows up in the output stripped of terminal control
        sequences (such as readline's bracketed-paste switches); consumes the output up to its end."""
        deadline = time.monotonic() + self.step_timeout
        rx = re.compile(pattern)
        while True:
            self.pending = CONTROL_SEQUENCE.sub(b"", self.pending)
            m = rx.search(self.pending)
            if m:
                self.pending = self.pending[m.end():]
                return True
            left = deadline - time.monotonic()
            if left <= 0 or not self.read_some(left):
                return False

    def send(self, data):
        os.write(self.fd, data)

    def check(self, ok, what):
        if ok:
            print("ok - pty: " + what)
        else:
            self.failures += 1
            print("not ok - pty: " + what)
            print("#   terminal showed (last 600 bytes): %r" % self.seen[-600:])
        sys.stdout.flush()
        return ok

    def wait_exit(self):
        deadline = time.monotonic() + self.step_timeout
        while time.monotonic() < deadline:
            self.read_some(0.05)  # keep draining, or the child may block on a full terminal
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None


def main():
    exe, history, step_timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    env = dict(os.environ, TERM="xterm", INITLAB_HISTORY=history)
    s = Session([exe], env, step_timeout)
    prompt = rb"> "

    s.check(s.expect(rb"initlab \d+\.\d+\.\d+ \(Lua 5\.4\.\d+\) \S+ il = require 'initlab' is preloaded")
            and s.expect(prompt), "banner and prompt")

    s.send(b"1+2\r")
    s.check(s.expect(shown(b"3")) and s.expect(prompt), "an expression prints its value")

    s.send(b"function g()\r")
    ok = s.expect(rb">> ")
    s.send(b"return 5 end\r")
    ok = ok and s.expect(prompt)
    s.send(b"g()\r")
    s.check(ok and s.expect(shown(b"5")) and s.expect(prompt), "a function continues at '>> '")

    s.send(b"error('boom')\r")
    s.check(s.expect(rb"boom\r\nstack traceback:") and s.expect(prompt), "an error prints a traceback")

    s.send(b"abc")
    time.sleep(0.1)
    s.send(b"\x03")
    time.sleep(0.1)
    s.send(b"1+1\r")  # were "abc" still there, this would be a syntax error
    s.check(s.expect(shown(b"2")) and s.expect(prompt), "Ctrl-C drops the line being typed")

    s.send(b"for i = 1, 2 do\r")
    ok = s.expect(rb">> ")
    s.send(b"\x03")
    time.sleep(0.1)
    s.send(b"2+2\r")
    s.check(ok and s.expect(shown(b"4")) and s.expect(prompt), "Ctrl-C drops an unfinished chunk")

    s.send(b"print('spin' .. 'ning') while true do end\r")
    ok = s.expect(shown(b"spinning"))  # the loop has started: the echoed line does not say "spinning"
    time.sleep(0.1)
    s.send(b"\x03")
    ok = ok and s.expect(rb"interrupted!") and s.expect(prompt)
    s.send(b"10*10\r")
    s.check(ok and s.expect(shown(b"100")) and s.expect(prompt),
            "Ctrl-C interrupts a computation and the prompt goes on")

    s.send(b"zzfoo_bar = 7\r")
    ok = s.expect(prompt)
    s.send(b"zzfoo\t")
    time.sleep(0.1)
    s.send(b"\r")
    s.check(ok and s.expect(shown(b"7")) and s.expect(prompt), "Tab completes a global name")

    s.send(b"\x04")
    status = s.wait_exit()
    s.check(status == 0, "Ctrl-D leaves with status 0 (got %r)" % (status,))

    try:
        with open(history, encoding="utf-8", errors="replace") as f:
            saved = f.read().splitlines()
    except OSError:
        saved = []
    s.check("1+2" in saved and "zzfoo_bar = 7" in saved, "the history file keeps the lines typed")
    return 1 if s.failures else 0


if __name__ == "__main__":
    sys.exit(main())
