namespace Llama.Evaluation.Sandbox;

/// <summary>
/// Python source run before the sandboxed program: a PEP 578 audit hook (it cannot be removed once installed) that
/// refuses what a "predict the output" or code check never needs. Reads are allowed only inside the interpreter's
/// own library folders (imports must work); every write, socket, process creation, exec, fork, signal, file removal
/// or rename, and native code loading (ctypes) raises PermissionError. What the hook uses is bound when it is
/// defined, so the program cannot swap it out by rebinding module globals.
/// </summary>
internal static class AuditGuard
{
    public const string Preamble = """
import sys as _sys, os as _os
def _llama_sandbox_guard(event, args,
        _allowed=tuple(sorted({_os.path.realpath(p) for p in (_sys.prefix, _sys.base_prefix, _sys.exec_prefix, _sys.base_exec_prefix)})),
        _realpath=_os.path.realpath, _fsdecode=_os.fsdecode, _sep=_os.sep,
        _write_flags=_os.O_WRONLY | _os.O_RDWR | _os.O_CREAT | _os.O_TRUNC | _os.O_APPEND,
        _denied_modules=("socket", "subprocess", "ctypes", "_winapi", "winreg"),
        _denied_events=frozenset(("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
            "os.kill", "os.killpg", "os.remove", "os.rmdir", "os.rename", "os.mkdir", "os.chmod", "os.chown",
            "os.link", "os.symlink", "os.truncate", "os.utime", "os.putenv", "os.unsetenv", "os.chdir",
            "shutil.rmtree", "shutil.copyfile", "shutil.move", "shutil.copytree", "pty.spawn"))):
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int):
            return
        writing = (mode is not None and any(c in mode for c in "wax+")) or (mode is None and flags is not None and flags & _write_flags)
        real = _realpath(_fsdecode(path))
        if writing or not any(real == a or real.startswith(a + _sep) for a in _allowed):
            raise PermissionError("sandbox: file access is not allowed: " + str(path))
    elif event in _denied_events or event.split(".")[0] in _denied_modules:
        raise PermissionError("sandbox: " + event + " is not allowed")
_sys.addaudithook(_llama_sandbox_guard)
del _llama_sandbox_guard

""";
}
