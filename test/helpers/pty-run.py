"""Runs a command in a pseudo-terminal and answers its prompts, for tests of interactive behaviour.

usage: python3 pty-run.py STEPS_JSON -- COMMAND ARGS...
STEPS_JSON is a list of [expected_text, keys_to_send]; prints {"code": N, "output": "..."} as JSON.
PTY_COLUMNS=N in the environment makes the terminal N columns wide.
"""
import json
import os
import pty
import select
import sys
import time

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    # PTY_COLUMNS: the terminal's width, set before the command starts (it reads the size once)
    if os.environ.get("PTY_COLUMNS"):
        import fcntl
        import struct
        import termios
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, int(os.environ["PTY_COLUMNS"]), 0, 0))
    os.execvp(cmd[0], cmd)

output = b""
deadline = time.time() + float(os.environ.get('PTY_DEADLINE', '30'))


def read_some(timeout):
    global output
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    if not data:
        return None
    output += data
    return True


for expected, keys in steps:
    mark = len(output)
    while expected.encode() not in output[mark:] and time.time() < deadline:
        if read_some(0.2) is None:
            break
    time.sleep(0.1)
    os.write(fd, keys.encode())

while time.time() < deadline:
    if read_some(0.2) is None:
        break
if time.time() >= deadline:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
print(json.dumps({"code": code, "output": output.decode("utf-8", "replace")}))
