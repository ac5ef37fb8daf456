"""Debian's kernels: a name (6.1, 6.12-rt, a package, a path to an image
of one's own) resolved to a kernel image, downloaded once with apt and
kept in the cache without its .deb."""
import os
import re
import shlex
import shutil
import subprocess
import tempfile

from . import paths
from .failure import Failure, note

FLAVOURS = {"": "amd64", "rt": "rt-amd64", "cloud": "cloud-amd64"}


def version_key(text):
    return [int(n) for n in re.findall(r"\d+", text)]


def newest_package(name, packages):
    """The newest package of PACKAGES (apt's names) that NAME stands for,
    or None.  NAME is VERSION[-FLAVOUR]: 6.1 is linux-image-6.1.0-N-amd64-
    unsigned, 6.12 is linux-image-6.12.N+debM-amd64-unsigned; the ABI number
    N changes as Debian updates, so the choice is made when it is run."""
    if name.startswith("linux-image-"):
        return name if name in packages else None
    m = re.fullmatch(r"(\d+\.\d+)(?:-(rt|cloud))?", name)
    if not m:
        return None
    flavour = FLAVOURS[m.group(2) or ""]
    pattern = re.compile(r"linux-image-" + re.escape(m.group(1)) +
                         r"((?:\.\d+)?(?:-\d+)?(?:\+deb\d+)?)-" +
                         re.escape(flavour) + r"-unsigned")
    found = [(version_key(x.group(1)), p) for p in packages
             if (x := pattern.fullmatch(p))]
    return max(found)[1] if found else None


def apt_packages():
    try:
        out = subprocess.run(["apt-cache", "pkgnames", "linux-image-"],
                             capture_output=True, text=True)
    except OSError:
        out = None
    if out is None or out.returncode != 0:
        raise Failure("apt-cache is not usable here: only a path to a "
                      "kernel of one's own can be run")
    return out.stdout.split()


class Kernel:
    """A kernel ready to boot: its image, its name as the user gave it and
    what it resolved to."""

    def __init__(self, name, image, what=None):
        self.name = name
        self.image = image
        self.what = what or image


def resolve(name, packages=None):
    if name == "host":
        return None
    if os.path.sep in name or os.path.isfile(name):
        if not os.path.isfile(name):
            raise Failure(f"{name}: no such kernel image")
        return Kernel(name, os.path.abspath(name))
    package = newest_package(name, apt_packages() if packages is None
                             else packages)
    if package is None:
        raise Failure(f"{name}: not a Debian kernel apt-cache lists (run "
                      "apt-get update?), nor a file")
    return fetch(name, package)


def fetch(name, package):
    """The cached kernel of PACKAGE, downloaded and unpacked on first use.
    Only the kernel and its config are kept, never the .deb."""
    home = os.path.join(paths.cache(), "kernels", package)
    image = os.path.join(home, "vmlinuz")
    if not os.path.isfile(image):
        os.makedirs(os.path.dirname(home), exist_ok=True)
        with tempfile.TemporaryDirectory(dir=os.path.dirname(home)) as work:
            note(f"downloading {package}")
            # apt's download user cannot write into a root-owned directory;
            # the download is a plain file, so no sandbox is needed.
            got = subprocess.run(["apt-get", "download", "-q",
                                  "-o", "APT::Sandbox::User=root", package],
                                 cwd=work, capture_output=True, text=True)
            debs = [f for f in os.listdir(work) if f.endswith(".deb")]
            if got.returncode != 0 or not debs:
                raise Failure(f"cannot download {package}: "
                              f"{got.stderr.strip().splitlines()[-1:]}")
            unpack(os.path.join(work, debs[0]), os.path.join(work, "unpacked"))
            os.rename(os.path.join(work, "unpacked"), home)
    config = os.path.join(home, "config")
    vmlinux = os.path.join(home, "vmlinux")
    if not os.path.exists(vmlinux) and pvh(config):
        decompress_vmlinux(image, vmlinux)
    if os.path.isfile(vmlinux):
        image = vmlinux
    return Kernel(name, image, package)


def unpack(deb, dest):
    os.makedirs(dest)
    tar = subprocess.run(
        f"dpkg-deb --fsys-tarfile {shlex.quote(deb)} | tar -x -C "
        f"{shlex.quote(dest)} --wildcards './boot/vmlinuz-*' './boot/config-*'",
        shell=True, capture_output=True, text=True)
    boot = os.path.join(dest, "boot")
    files = os.listdir(boot) if os.path.isdir(boot) else []
    images = [f for f in files if f.startswith("vmlinuz-")]
    configs = [f for f in files if f.startswith("config-")]
    if tar.returncode != 0 or not images:
        raise Failure(f"{deb}: no kernel image inside: {tar.stderr.strip()}")
    os.rename(os.path.join(boot, images[0]), os.path.join(dest, "vmlinuz"))
    if configs:
        os.rename(os.path.join(boot, configs[0]), os.path.join(dest, "config"))
    with open(os.path.join(dest, "release"), "w") as f:
        f.write(images[0][len("vmlinuz-"):] + "\n")
    shutil.rmtree(boot)


def pvh(config):
    try:
        return "CONFIG_PVH=y\n" in open(config).read()
    except OSError:
        return False


def decompress_vmlinux(image, dest):
    """The ELF vmlinux inside a bzImage, for qemu's PVH entry: a guest
    reaches user space about twice as fast as through the bzImage's own
    decompressor under TCG.  Best effort: the bzImage still boots."""
    data = open(image, "rb").read()
    for magic, command in ((b"\xfd7zXZ\x00", ["xz", "-dc"]),
                           (b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"])):
        at = data.find(magic)
        if at < 0 or not shutil.which(command[0]):
            continue
        # The bzImage appends the payload's size after the stream, which the
        # decompressors call trailing garbage; what came before it is whole.
        out = subprocess.run(command, input=data[at:], capture_output=True)
        if out.stdout[:4] == b"\x7fELF":
            with open(dest + ".tmp", "wb") as f:
                f.write(out.stdout)
            os.rename(dest + ".tmp", dest)
            return
