"""The guest: an initramfs holding a static busybox, the static mmlitmus
and the command's inputs, booted by qemu (KVM when a probe guest runs
under it, else TCG), the command's output and exit status brought back;
and the same command on the host, for the kernel named host."""
import io
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

from . import paths
from .failure import Failure, note

TCG_NOTE = ("under TCG the guest's TLB is qemu's software TLB: results test "
            "the kernel's logic (locking, zap and flush ordering), not the "
            "hardware's TLB")
# What the guest prints on its console around mmlitmus; the host reads
# nothing else there.
EXIT_MARK = "mmlitmus-guest-exit"
PROBE_MARK = "mmlitmus-guest-up"
# A guest that boots under KVM reaches user space in a second or two; the
# probe allows for a loaded machine.
PROBE_SECONDS = 20
# Boot and shutdown under TCG, on top of what the guest command needs.
BOOT_SECONDS = 60


def static_elf(path):
    """True when PATH is an ELF executable without an interpreter, so it
    runs in an initramfs that holds no libc."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2:
                return False
            phoff = int.from_bytes(head[32:40], "little")
            phentsize = int.from_bytes(head[54:56], "little")
            phnum = int.from_bytes(head[56:58], "little")
            f.seek(phoff)
            table = f.read(phentsize * phnum)
    except OSError:
        return False
    types = [int.from_bytes(table[i:i + 4], "little")
             for i in range(0, len(table), phentsize)]
    return 3 not in types   # PT_INTERP


def busybox():
    path = shutil.which("busybox")
    if not path or not static_elf(path):
        raise Failure("no static busybox: apt-get install busybox-static")
    return path


def guest_binary():
    static = paths.mmlitmus_static()
    if not os.path.isfile(static) and paths.IN_TREE:
        subprocess.run([paths.tool("setup")], check=True)
    if not static_elf(static):
        raise Failure(f"{static}: no static mmlitmus (it needs "
                      "libjansson-dev's libjansson.a; see README, Install)")
    return static


def init_script(command):
    """/init: mount what mmlitmus uses, run COMMAND (shell, with its
    stdout on the second serial port and its stderr on the console), mark
    its exit status and power off.  The host reads the port raw.  The
    guest is disposable, so it is set up for every row of the survey:
    shmem and tmpfs THP on MADV_HUGEPAGE (with the 32 hugetlb pages and the
    second NUMA node of qemu_command)."""
    return f"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm
mount -t tmpfs -o huge=advise shm /dev/shm 2>/dev/null || mount -t tmpfs shm /dev/shm
echo advise >/sys/kernel/mm/transparent_hugepage/shmem_enabled 2>/dev/null
echo {PROBE_MARK} $(uname -r)
stty -F /dev/ttyS1 raw -echo
cd /in
( {command} ) >/dev/ttyS1
echo {EXIT_MARK} $?
poweroff -f
"""


def initramfs(dest, command, inputs):
    """An uncompressed newc cpio (the kernel takes it as it is) holding
    busybox, the static mmlitmus, /init and INPUTS ({name in /in: host
    path}), built by busybox cpio."""
    with tempfile.TemporaryDirectory() as root:
        for d in ("bin", "dev", "proc", "sys", "tmp", "in"):
            os.mkdir(os.path.join(root, d))
        shutil.copy(busybox(), os.path.join(root, "bin", "busybox"))
        shutil.copy(guest_binary(), os.path.join(root, "bin", "mmlitmus"))
        for name, path in inputs.items():
            target = os.path.join(root, "in", name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy(path, target)
        init = os.path.join(root, "init")
        with open(init, "w") as f:
            f.write(init_script(command))
        os.chmod(init, 0o755)
        names = subprocess.run(["find", "."], cwd=root, capture_output=True,
                               check=True).stdout
        with open(dest, "wb") as out:
            subprocess.run([busybox(), "cpio", "-o", "-H", "newc"], cwd=root,
                           input=names, stdout=out, stderr=subprocess.DEVNULL,
                           check=True)


def qemu_command(kernel, initrd, data, accel, memory, append=""):
    half = memory // 2
    accel_flags = ["-accel", "kvm", "-cpu", "host"] if accel == "kvm" \
        else ["-accel", "tcg,thread=multi"]
    # Two NUMA nodes so that migrate has a far node; hugetlb pages reserved
    # at boot so that the hugetlb backing can run.
    return [paths.qemu(), *accel_flags, "-smp", "2", "-m", f"{memory}M",
            "-object", f"memory-backend-ram,id=m0,size={half}M",
            "-object", f"memory-backend-ram,id=m1,size={memory - half}M",
            "-numa", "node,nodeid=0,cpus=0,memdev=m0",
            "-numa", "node,nodeid=1,cpus=1,memdev=m1",
            "-kernel", kernel.image, "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 oops=panic hugepages=32 "
            "quiet " + append,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-serial", "stdio", "-serial", f"file:{data}"]


def console_verdict(console):
    """The command's exit status from the console, or a Failure saying
    why there is none."""
    m = re.search(rf"^{EXIT_MARK} (\d+)", console, re.M)
    if m:
        return int(m.group(1))
    panic = re.search(r"Kernel panic - not syncing:.*", console)
    if panic:
        return Failure(f"the guest kernel panicked: {panic.group(0).strip()}")
    if PROBE_MARK not in console:
        # qemu's own errors (an image it cannot load) end the console.
        last = [line.strip() for line in console.splitlines() if line.strip()][-1:]
        return Failure("the guest never reached user space" +
                       (f" (the console ends: {last[0][:160]})" if last else ""))
    return Failure("the guest stopped before mmlitmus finished")


def boot(kernel, command, inputs, opts, timeout):
    """Boot KERNEL with COMMAND as its work: (the command's exit status,
    what it wrote, the accelerator).  The console is kept in a log file,
    named in any error."""
    os.makedirs(os.path.join(paths.cache(), "logs"), exist_ok=True)
    log = opts.log or os.path.join(
        paths.cache(), "logs", f"{re.sub(r'[^A-Za-z0-9.+-]', '_', kernel.name)}-"
        f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log")
    accel = opts.accel or choose_accel(kernel, opts)
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "initrd.cpio")
        data = os.path.join(work, "data")
        initramfs(initrd, command, inputs)
        cmd = qemu_command(kernel, initrd, data, accel, opts.memory)
        status = run_qemu(cmd, log, timeout, opts.verbose)
        console = open(log, errors="replace").read()
        if status == "timeout":
            raise Failure(f"{kernel.name}: the guest did not finish in "
                          f"{timeout:.0f} s; console log: {log}")
        verdict = console_verdict(console)
        if isinstance(verdict, Failure):
            raise Failure(f"{kernel.name}: {verdict}; console log: {log}")
        got = open(data, "rb").read() if os.path.exists(data) else b""
    return verdict, got, accel


def run_qemu(cmd, log, timeout, verbose):
    """Run qemu with its console into LOG (and stderr with -v); "timeout"
    when it had to be killed."""
    try:
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except OSError as e:
        raise Failure(f"cannot start {cmd[0]}: {e.strerror} "
                      "(apt-get install qemu-system-x86)")
    deadline = time.monotonic() + timeout
    with open(log, "wb") as out:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                qemu.kill()
                qemu.wait()
                return "timeout"
            ready, _, _ = select.select([qemu.stdout], [], [], min(left, 1))
            if not ready:
                continue
            chunk = os.read(qemu.stdout.fileno(), 65536)
            if not chunk:
                break
            out.write(chunk)
            out.flush()
            if verbose:
                sys.stderr.buffer.write(chunk)
                sys.stderr.flush()
    return qemu.wait()


def choose_accel(kernel, opts):
    """KVM when a probe guest reaches user space under it within
    PROBE_SECONDS, else TCG.  /dev/kvm may exist where KVM cannot run a
    guest (a VM without nested virtualisation), so its presence decides
    nothing.  The verdict is cached for this host kernel and qemu."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg"
    qemu = shutil.which(paths.qemu()) or paths.qemu()
    key = f"{os.uname().release} {qemu} {os.stat(qemu).st_mtime_ns if os.path.exists(qemu) else 0}"
    path = os.path.join(paths.cache(), "accel")
    try:
        cached, verdict = open(path).read().rsplit("\n", 2)[:2]
        if cached == key:
            return verdict
    except (OSError, ValueError):
        pass
    note("probing whether KVM can run a guest here")
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "initrd.cpio")
        initramfs(initrd, "true", {})
        cmd = qemu_command(kernel, initrd, os.path.join(work, "data"), "kvm",
                           opts.memory)
        log = os.path.join(work, "console")
        status = run_qemu(cmd, log, PROBE_SECONDS, False)
        up = status != "timeout" and EXIT_MARK in open(log, errors="replace").read()
    verdict = "kvm" if up else "tcg"
    note(f"KVM {'runs' if up else 'does not run'} a guest here: using {verdict}")
    os.makedirs(paths.cache(), exist_ok=True)
    with open(path, "w") as f:
        f.write(f"{key}\n{verdict}\n")
    return verdict


def guest_arguments(args):
    """ARGS with every host file replaced by its name in the guest's /in,
    and the files to carry."""
    inputs, out = {}, []
    for a in args:
        if os.path.isfile(a):
            name = f"{len(inputs)}-{os.path.basename(a)}"
            inputs[name] = a
            out.append(name)
        else:
            out.append(a)
    return out, inputs


def interruptible(timeout):
    """mmlitmus, sent SIGINT (on which it reports what it has) a boot's
    allowance before the host would kill the guest, so that a guest that
    runs long still brings back its partial results."""
    return f"timeout -s INT {max(1, int(timeout - BOOT_SECONDS))} mmlitmus "


def in_guest(kernel, args, opts, seconds):
    """`mmlitmus ARGS` in KERNEL's guest: (exit status, stdout bytes)."""
    guest_args, inputs = guest_arguments(args)
    timeout = opts.timeout or seconds + BOOT_SECONDS
    command = interruptible(timeout) + " ".join(shlex.quote(a) for a in guest_args)
    status, data, accel = boot(kernel, command, inputs, opts, timeout)
    if accel == "tcg":
        note(TCG_NOTE)
    return status, data


def on_host(args):
    out = subprocess.run([paths.mmlitmus(), *args], stdout=subprocess.PIPE)
    return out.returncode, out.stdout


def expected_seconds(args, default):
    """How long a guest command should take, from its own time flags."""
    for flag in ("-s", "--seconds", "--budget"):
        if flag in args and args.index(flag) + 1 < len(args):
            try:
                return float(args[args.index(flag) + 1])
            except ValueError:
                pass
    return default


def guest_files(data):
    """{name: content} of the files in a guest's gzipped tar."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()
                if m.isfile()}
